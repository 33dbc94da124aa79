local f = assert(load("return 'abc\\z  \n   efg', require'debug'.getinfo(1).currentline", ''))
print(f())
local f = assert(load("return 1,\n\n require'debug'.getinfo(1).currentline", ''))
print(f())

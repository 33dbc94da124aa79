-- queue implemented with two indices
local Q = {first = 1, last = 0, items = {}}
local function push(v) Q.last = Q.last + 1; Q.items[Q.last] = v end
local function pop() local v = Q.items[Q.first]; Q.items[Q.first] = nil; Q.first = Q.first + 1; return v end
for i = 1, 5 do push(i * i) end
print(pop(), pop(), Q.last - Q.first + 1)

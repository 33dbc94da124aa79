-- long strings and long comments of any level
local s = [[
first line
second]]
print(s)
print([==[contains ]] and ]=] inside]==])
--[[ a long
comment ]] print("after comment")
--[==[ level two
]] still comment ]==] print("after level two")
print(#[[

x]])

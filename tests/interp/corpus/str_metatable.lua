-- the string metatable: methods on literals and values, __index is the string table, arithmetic coercion, indexing errors
local s = "hello"
print(s:upper(), ("x"):rep(3), s:len(), #s, s:sub(2, 3), ("%d"):format(5), getmetatable("").__index == string)
print(("10") + 1, "3" * "4", "10" / 2, "7" // 2, "7" % 3, -"2", "2" ^ 3, "0x10" + 0, " 5 " * 2)
print(pcall(function() return "a" + 1 end)); print(pcall(function() return {} + "1" end)); print(pcall(function() return -"x" end))
print(s.len == string.len, s.nope, pcall(function() return s.x.y end), pcall(function() return ("x"):nope() end))
print(pcall(function() return "1" & 1 end), pcall(function() return "3" | 0 end), pcall(function() return 1 << "2" end))
string.custom = function(self) return "custom:" .. self end print(s:custom()) string.custom = nil

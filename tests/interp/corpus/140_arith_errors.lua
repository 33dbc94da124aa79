-- arithmetic errors name the operand
local t = {}
print(pcall(function() return t + 1 end))
print(pcall(function() local s; return s * 2 end))
print(pcall(function() return 2 ^ {} end))
print(pcall(function() return true + 1 end))

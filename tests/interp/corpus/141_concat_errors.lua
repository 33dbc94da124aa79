-- concat errors name the operand
print(pcall(function() return "a" .. nil end))
print(pcall(function() local t = {}; return t .. "b" end))
print(pcall(function() return 1 .. true end))

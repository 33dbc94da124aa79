-- __metatable protection and getmetatable
local t = setmetatable({}, {__metatable = "locked"})
print(getmetatable(t))
print(pcall(setmetatable, t, {}))
print(getmetatable("abc").__index == string)
print(getmetatable({}), getmetatable(1))

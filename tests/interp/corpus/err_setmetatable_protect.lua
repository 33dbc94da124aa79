-- metatable protection, __metatable field, setmetatable argument errors, getmetatable of strings
local t = setmetatable({}, {__metatable = "locked"})
print(getmetatable(t), pcall(setmetatable, t, {}), pcall(setmetatable, t, nil), getmetatable("x").__index == string)
print(pcall(setmetatable, {}, 5), pcall(setmetatable, 5, {}), pcall(setmetatable), setmetatable({}, nil) ~= nil)
print(getmetatable(1), getmetatable(nil), getmetatable(print), pcall(getmetatable))
local u = setmetatable({}, {__metatable = false}) print(getmetatable(u), pcall(setmetatable, u, {}))

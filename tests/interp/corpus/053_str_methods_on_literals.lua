-- string methods through the string metatable
local s = "Lua"
print(s:upper(), ("x"):rep(2), s:len(), #s, s:byte(1))
print(("%d-%d"):format(1, 2))
local mt = getmetatable("")
print(type(mt), mt.__index == string)
print(pcall(function() return ("x"):nomethod() end))

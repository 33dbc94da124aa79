-- tostring uses __tostring and __name
local T = setmetatable({}, {__tostring = function() return "I am T" end})
print(tostring(T), T ~= nil)
print(pcall(tostring, setmetatable({}, {__tostring = function() return 1 end})))
print(pcall(tostring, setmetatable({}, {__tostring = function() return {} end})))

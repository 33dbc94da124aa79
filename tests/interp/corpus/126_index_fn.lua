-- __index function receiving the key and table
local defaults = setmetatable({}, {__index = function(t, k) return "default_" .. tostring(k) end})
print(defaults.color, defaults[42], defaults[true])

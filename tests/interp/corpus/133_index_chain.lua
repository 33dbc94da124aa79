-- __index chain depth through several tables
local a = {v = "found"}
local b = setmetatable({}, {__index = a})
local c = setmetatable({}, {__index = b})
local d = setmetatable({}, {__index = c})
print(d.v, d.missing)

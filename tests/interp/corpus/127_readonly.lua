-- __newindex read-only table
local function readonly(t) return setmetatable({}, {__index = t, __newindex = function(_, k) error("attempt to update a read-only table", 2) end}) end
local days = readonly({"Sun", "Mon"})
print(days[1], pcall(function() days[3] = "Tue" end))

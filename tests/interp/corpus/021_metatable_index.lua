-- __index as table and function, chained
local base = {greet = function() return "hello" end, x = 1}
local mid = setmetatable({y = 2}, {__index = base})
local obj = setmetatable({}, {__index = mid})
print(obj.x, obj.y, obj.greet(), obj.z)
local calls = 0
local dyn = setmetatable({}, {__index = function(t, k) calls = calls + 1; return k .. "!" end})
print(dyn.foo, dyn[1], calls)
print(rawget(dyn, "foo"))

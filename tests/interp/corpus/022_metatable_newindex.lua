-- __newindex as table and function, rawset bypass
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v * 2) end})
proxy.a = 1
proxy.a = 5
print(proxy.a, #log)
local store = {}
local p2 = setmetatable({}, {__newindex = store})
p2.x = 10
print(rawget(p2, "x"), store.x)

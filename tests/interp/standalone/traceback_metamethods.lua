-- a metamethod called by the runtime is named as one in a traceback
local t = setmetatable({}, {__index = function(t, k) return debug.traceback("tb") end})
print(string.find(t.x, "in metamethod 'index'") ~= nil)
local u = setmetatable({}, {__add = function(a, b) return debug.traceback("tb") end})
print(string.find(u + 1, "in metamethod 'add'") ~= nil)

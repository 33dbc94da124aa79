-- errors raised inside metamethods propagate
local t = setmetatable({}, {__index = function(t, k) error("no field " .. k) end})
print(pcall(function() return t.foo end))
local u = setmetatable({}, {__add = function() error({code = 1}) end})
local ok, e = pcall(function() return u + 1 end)
print(ok, type(e), e.code)

-- xpcall handler receives the original error value
local function handler(e) return "H:" .. tostring(e) end
print(xpcall(function() error("x", 0) end, handler))
print(xpcall(function() error({}) end, function(e) return type(e) end))
print(xpcall(function() local a = nil; return a.b end, handler))

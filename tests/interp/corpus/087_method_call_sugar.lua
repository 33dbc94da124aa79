-- method call syntax with strings, tables and chained calls
local obj = {v = 1}
function obj:inc(n) self.v = self.v + (n or 1); return self end
obj:inc():inc(5):inc()
print(obj.v)
print(("%s=%s"):format("k", "v"), ("abc"):upper():lower())
local t = {f = function(self, x) return x * 2 end}
print(t:f(21), t.f(t, 4))

-- bitwise metamethods
local B = {}
local function box(v) return setmetatable({v = v}, B) end
B.__band = function(a, b) return box(a.v & b.v) end
B.__bor = function(a, b) return box(a.v | b.v) end
B.__bxor = function(a, b) return box(a.v ~ b.v) end
B.__shl = function(a, n) return box(a.v << n) end
B.__shr = function(a, n) return box(a.v >> n) end
B.__bnot = function(a) return box(~a.v) end
local x, y = box(12), box(10)
print((x & y).v, (x | y).v, (x ~ y).v, (x << 2).v, (x >> 2).v, (~x).v)
print(pcall(function() return 1.5 | 1 end))
print(pcall(function() return "a" | 1 end))
print(pcall(function() return {} | 1 end))
print(3.0 | 0, "3" + 0 | 0)

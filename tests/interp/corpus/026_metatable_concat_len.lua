-- __concat, __len, __call, __tostring, __name
local C = {}
C.__concat = function(a, b)
  local av = type(a) == "table" and a.s or a
  local bv = type(b) == "table" and b.s or b
  return av .. bv
end
C.__len = function(t) return 42 end
C.__call = function(self, a, b) return "called", a, b end
C.__tostring = function() return "custom!" end
local obj = setmetatable({s = "S"}, C)
print(obj .. "x", "y" .. obj, obj .. obj, #obj, obj(1, 2))
print(tostring(obj))
local named = setmetatable({}, {__name = "MyType"})
print((tostring(named):gsub("0x%x+", "ADDR")))

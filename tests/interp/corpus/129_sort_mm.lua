-- __lt and __le used by table.sort
local V = {}
V.__lt = function(a, b) return a.v < b.v end
local t = {}
for _, x in ipairs({3, 1, 2}) do t[#t + 1] = setmetatable({v = x}, V) end
table.sort(t)
print(t[1].v, t[2].v, t[3].v)

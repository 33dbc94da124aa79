-- multiple assignment evaluation order and swaps
local a, b = 1, 2
a, b = b, a
print(a, b)
local t = {1, 2, 3}
local i = 1
i, t[i] = i + 1, 20
print(i, t[1], t[2])
local x, y, z = 1
print(x, y, z)
local p, q = 1, 2, 3
print(p, q)
local function mr() return 7, 8, 9 end
local m1, m2, m3, m4 = mr()
print(m1, m2, m3, m4)
local n1, n2 = mr(), 10
print(n1, n2)

-- matrix multiplication with nested tables
local function mm(a, b) local c = {} for i = 1, #a do c[i] = {} for j = 1, #b[1] do local s = 0 for k = 1, #b do s = s + a[i][k] * b[k][j] end c[i][j] = s end end return c end
local r = mm({{1, 2}, {3, 4}}, {{5, 6}, {7, 8}})
print(r[1][1], r[1][2], r[2][1], r[2][2])

-- tostring of integers and floats: %.14g, .0 suffix, -0.0, inf, nan, large and small magnitudes
local vals = {0, -0.0, 0.0, 1, 1.0, -1.5, 0.1, 1/3, 100, 1e14, 1e15, 1e16, 123456789012345.0, 2^53, 2^63, -2^63, 1e-5, 1e-300,
  5e-324, 1/0, -1/0, math.pi, -math.pi, 1e100, 255 / 5, 7 // 2, 7.0 // 2, 3 % -2, 3.0 % -2, math.maxinteger, math.mininteger}
for _, v in ipairs(vals) do print(tostring(v), math.type(v)) end
print(tostring(0/0) == tostring(0/0), tostring(nil), tostring(true), tostring(false), pcall(tostring))

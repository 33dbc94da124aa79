-- float arithmetic and formatting
print(3 / 2, 1 / 3, 10 / 2, 2^0.5, 7.0 // 2, 7.5 % 2, -7.5 % 2)
print(1e15, 1e16, 1e100, 2^53, 2^63, 0.1 + 0.2, 100.0, -0.0, 1e-5, 123456789012345.0)
print(1/0, -1/0, math.huge, 3.0 == 3, 1e308 * 10)
print(5 // 0.0, -5 // 0.0, 5 % math.huge, -5 % math.huge)

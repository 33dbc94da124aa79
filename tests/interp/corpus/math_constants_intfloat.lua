-- math constants and integer/float arithmetic: wraparound, //, %, ^, division by zero, comparisons
print(math.pi, math.huge, -math.huge, math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, math.mininteger - 1)
print(math.maxinteger * 2, math.mininteger * -1, -math.mininteger, math.mininteger // -1, math.mininteger % -1, math.maxinteger + 0.0)
print(7 // 2, -7 // 2, 7 // -2, 7.0 // 2, -7 // 2.0, 7 % 3, -7 % 3, 7 % -3, -7 % -3, 7.5 % 2, -7.5 % 2, 5 % -0.0, 1 // 0.0, -1 // 0.0, 0/0 ~= 0/0)
print(2^2, 2^-1, (-8)^(1/3) ~= (-8)^(1/3), 10 / 2, 3 / 0, -3 / 0, 0 / 0 ~= 0 / 0, 2^63 == math.maxinteger + 1.0, 2^53 + 1)
print(pcall(function() return 1 // 0 end), pcall(function() return 1 % 0 end), pcall(function() return 1.5 // 0 end))
print(1 == 1.0, math.maxinteger == 2^63, math.maxinteger < 2^63, math.mininteger == -2^63, 2^53 == 2^53 + 1, 1 < 1.5, -0.0 == 0)
print(3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 63, 1 << 64, -1 >> 1, 2^62 | 0, pcall(function() return 2^64 | 0 end), "3" + 0 | 0)

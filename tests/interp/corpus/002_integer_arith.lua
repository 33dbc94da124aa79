-- integer arithmetic: + - * // % and wrap-around
print(1 + 2, 10 - 3, 6 * 7, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3)
print(math.maxinteger + 1 == math.mininteger, math.mininteger - 1 == math.maxinteger)
print(math.maxinteger * 2, math.mininteger // -1)
print(2^63, 1 << 62, 3 * -2)

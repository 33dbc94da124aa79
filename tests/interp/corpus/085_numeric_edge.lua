-- numeric edge cases: -0.0, nan, huge integers
local nan = 0/0
print(nan == nan, nan ~= nan, -0.0 == 0.0, 1/(-0.0) < 0)
print(math.maxinteger + 0.0, math.maxinteger + 0.0 == 2^63, math.mininteger + 0.0)
print(9007199254740993, 2^63 == math.maxinteger + 1.0, math.maxinteger // 1 == math.maxinteger)
print(string.format("%.17g", 0.1), 1e300 * 1e10 == math.huge)

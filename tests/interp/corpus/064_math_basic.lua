-- math functions: floor, ceil, abs, max, min, fmod, modf
print(math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2), math.floor(5), math.ceil(2^60))
print(math.abs(-5), math.abs(-5.5), math.abs(math.mininteger), math.max(1, 9, 3), math.min(4, 2.5, 8))
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(7.5, 2), pcall(math.fmod, 1, 0))
print(math.modf(3.7), math.modf(-3.7), math.modf(5))
print(math.max(1), pcall(math.max))

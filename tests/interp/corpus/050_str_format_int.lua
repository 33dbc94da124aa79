-- string.format integer conversions
print(string.format("%d %5d %-5d| %05d %+d %i", 42, 42, 42, 42, 42, -7))
print(string.format("%x %X %#x %o %c", 255, 255, 255, 8, 65))
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5))
print(string.format("%x", -1), string.format("%5.3d", 7))

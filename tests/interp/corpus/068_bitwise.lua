-- bitwise operators on integers and convertible floats
print(5 & 3, 5 | 3, 5 ~ 3, ~5, 1 << 4, 256 >> 4, -1 >> 60, 1 << -1, 1 >> -2)
print(0xFF & 0x0F, 2^53 | 0, 3.0 & 1, "0x10" | 0 == 16 or "no coercion")
print(pcall(function() return 1.5 & 1 end))
print(math.mininteger >> 63, math.maxinteger << 1)

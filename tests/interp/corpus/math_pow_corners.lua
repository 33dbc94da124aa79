-- float exponentiation corner cases: poles at zero with signs, NaN, overflow (C pow)
print(0^-1, (-0.0)^-1, (-0.0)^-2, 0^-0.5, (-0.0)^-0.5, (-8)^0.5, (-2)^3, 2^1024, (-2)^1025, 0^0, (0/0)^0, 1^(0/0))

-- numeric literal forms: hex, exponents, hex floats
print(0x10, 0xff, 0XA, 1e2, 1E-2, .5, 5., 3.14e+2)
print(0x1p4, 0x.8, 0xA.8p1, 0x1P-2)
print(0xffffffffffffffff, 0x7fffffffffffffff, 9223372036854775807, 9223372036854775808)
print(1e309, -1e309, 100000000000000000000)

-- tostring of integer-valued floats and large numbers
print(tostring(1e15), tostring(1e16), tostring(-1e15), tostring(2^63), tostring(-2^63), tostring(1e-4))
print(2^-1074 > 0, tostring(5e-324))

-- math sqrt, exp, log, trig, pi, huge
print(math.sqrt(16), math.sqrt(2), math.exp(0), math.log(1), math.log(8, 2), math.log(100, 10), math.log(27, 3))
print(math.sin(0), math.cos(0), math.tan(0), math.atan(1, 1) * 4 == math.pi, math.asin(1) * 2 == math.pi)
print(math.pi, math.huge, -math.huge, math.maxinteger, math.mininteger)
print(math.log(0), math.exp(1000))

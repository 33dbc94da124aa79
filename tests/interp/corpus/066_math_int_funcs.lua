-- math.tointeger, math.type, math.ult
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger(2^63), math.tointeger("x"))
print(math.type(1), math.type(1.0), math.type("1"))
print(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1))

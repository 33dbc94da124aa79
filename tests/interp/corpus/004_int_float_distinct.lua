-- integers and floats are distinct subtypes
print(math.type(1), math.type(1.0), math.type("1"), math.type(nil))
print(1 == 1.0, 3 // 2, 3.0 // 2, 3 / 2, 2^2, 10 // 3.0)
local t = {}
t[1.0] = "one"; t[2] = "two"
print(t[1], t[2.0], #t)
for k, v in pairs({[3.0] = "x"}) do print(k, math.type(k), v) end
print(math.tointeger(5.0), math.tointeger(5.5), math.tointeger("8"), 2^31 | 0)

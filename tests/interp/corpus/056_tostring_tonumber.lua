-- tostring and tonumber conversions
print(tostring(10), tostring(10.5), tostring(-0.0), tostring(1e100), tostring(nil), tostring(true))
print(tonumber("42"), tonumber("42.0"), tonumber(" 0x1F "), tonumber("1e3"), tonumber("abc"), tonumber(""))
print(tonumber("10", 2), tonumber("ff", 16), tonumber("zz", 36), tonumber("8", 8), tonumber("7FFFFFFFFFFFFFFF", 16))
print(tonumber(nil), tonumber(true), tonumber({}), tonumber("0x"), tonumber("1e"), tonumber(".5"), tonumber("5."))
print(math.type(tonumber("10")), math.type(tonumber("10.")), tonumber("9223372036854775808"))
print(pcall(tonumber, "10", 99))

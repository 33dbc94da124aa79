-- numerals with thousands of digits (past Python's int() digit limit) convert as Lua does
print(tonumber(("9"):rep(5000)), tonumber("-" .. ("9"):rep(5000)), math.type(tonumber(("9"):rep(5000))))
print(tonumber(("0"):rep(5000) .. "7"), math.type(tonumber(("0"):rep(5000) .. "7")))
print(tonumber("1" .. ("0"):rep(19)), tonumber("9223372036854775807"), tonumber("9223372036854775808"))
print(tonumber("0x1p" .. ("9"):rep(5000)), tonumber("0x1p-" .. ("9"):rep(5000)), tonumber("0x" .. ("f"):rep(5000)))
print(tonumber("0x1." .. ("0"):rep(5000) .. "1p4"), tonumber("1e" .. ("9"):rep(5000)), tonumber("." .. ("3"):rep(5000)))
print(load("return " .. ("9"):rep(5000))(), load("return " .. ("1"):rep(5000) .. ".5")())
print(("9"):rep(5000) + 0, ("9"):rep(4400) * 0)

-- string <-> number coercion in arithmetic and concatenation
print("10" + 5, "3" * "4", "2" ^ 2, 10 .. 20, 1.5 .. "x", "0x10" + 0, " 5 " * 2)
print(math.type("10" + 5), math.type("10.0" + 5), "10" // "3")
print(pcall(function() return "abc" + 1 end))
print(pcall(function() return {} .. "x" end))

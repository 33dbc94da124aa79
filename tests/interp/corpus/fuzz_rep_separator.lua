-- string.rep with separators, empty pieces and huge counts of nothing
print(string.rep("ab", 3, ","), string.rep("", 5, "-"), string.rep("x", 1, "sep"), string.rep("x", 0, "s"))
print(#string.rep("", 100000), #string.rep("", 1000, ""), string.rep("ab", -1, ","))  -- (Lua itself loops n times)
print(#string.rep("abc", 1000, "--"), #string.rep("", 1000, "--"))
print(#table.concat({1, 2, 3}, string.rep("x", 100)), table.concat({}, string.rep("y", 1000)))

-- string.find with plain flag, init positions
local s = "a.b.c"
print(s:find(".", 1, true), s:find("."), s:find("b", 3), s:find("x"), s:find("", 10), s:find("", 6))
print(("hello"):find("l"), ("hello"):find("l", -2), ("hello"):find("lo", 1, true), ("hello"):find("", 0))

-- string.find: plain flag, init positions (negative, zero, past the end), empty patterns and subjects
local s = "a.b*c+d"
for _, init in ipairs{-100, -3, -1, 0, 1, 2, 7, 8, 9, 100} do
  print(init, s:find(".", init, true), s:find(".", init), s:find("", init), s:find("", init, true), s:match("()", init))
end
print(s:find("*", 1, true), s:find("+d", 1, true), s:find("b*c", 1, true), s:find("b%*c"), s:find("", 1, true))
print(("x"):find("x", 1, false), ("x"):find("x", 1, nil), ("x"):find("x", 1, 0), ("%"):find("%", 1, true), pcall(string.find, "%", "%"))
print(("abc"):find("b", nil), pcall(string.find, "abc", "b", "x"), pcall(string.find, "abc"), pcall(string.find))

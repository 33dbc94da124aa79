-- string.gsub with string replacements: %0-%9, %%, invalid escapes, max count, empty matches
local s = "hello world from lua"
for _, r in ipairs{"%0%0", "<%1>", "%2-%1", "%%", "x%%y", "", "%0", "[%3]"} do
  print(r, pcall(string.gsub, s, "(%w+) (%w+)", r))
end
for _, n in ipairs{0, 1, 2, 3, -1, 100} do print(n, string.gsub(s, "o", "0", n)) end
print(pcall(string.gsub, s, "o", "0", 1.5), pcall(string.gsub, s, "o", "0", "2"))
print(pcall(string.gsub, s, "o", "%a"), pcall(string.gsub, s, "o", "%"), pcall(string.gsub, s, "(o)", "%9"))
print(string.gsub("abc", "", "-"), string.gsub("abc", ".-", "-"), string.gsub("", "", "x"), string.gsub("abc", "x*$", "!"))
print(string.gsub("abc", "b", 5), string.gsub("abc", "b", 1.5), string.gsub(123, 2, 9))

-- pattern character classes and their complements
local s = "aB1 _.\t\n"
for _, c in ipairs({"%a", "%A", "%d", "%D", "%l", "%u", "%s", "%S", "%w", "%W", "%p", "%x", "%c"}) do
  print(c, (s:gsub(c, "#")))
end

-- the iteration function of utf8.codes, called with positions out of range, ends the loop
local f = utf8.codes("")
print(f("", 2), f("", -1), f("", math.mininteger), select('#', f("", 2)))
local g = utf8.codes("héllo")
print(g("héllo", 0))
print(g("héllo", 100), g("héllo", -5))
for p, c in utf8.codes("aé€") do print(p, c) end
print(pcall(utf8.codes("abc"), "abc", "x"))
print(pcall(utf8.codes("abc"), "abc", 1.5))
print(pcall(utf8.codes("abc"), "abc", "2"))

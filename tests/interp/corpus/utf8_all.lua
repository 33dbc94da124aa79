-- utf8: char, charpattern, len, codepoint, codes, offset, lax variants and their errors
print(utf8.char(72, 228, 8364, 128512, 0x7FFFFFFF):byte(1, -1))
print(utf8.char(), pcall(utf8.char, -1), pcall(utf8.char, 0x80000000), pcall(utf8.char, "x"))
print(utf8.charpattern, #utf8.charpattern)
local s = "häll€ 😀"
print(utf8.len(s), utf8.len(s, 3), pcall(utf8.len, s, 3, 2), utf8.len(""), utf8.len(s, -4), utf8.len(s, 1, -1))
print(utf8.len("\xff"), utf8.len("abc\x80def"), utf8.len("\xed\xa0\x80"), utf8.len("\xed\xa0\x80", 1, -1, true), utf8.len("\xf4\x90\x80\x80"), utf8.len("\xf4\x90\x80\x80", 1, -1, true))
print(pcall(utf8.len, s, 20), pcall(utf8.len, s, 0), pcall(utf8.len, s, 1, 20), pcall(utf8.len))
print(utf8.codepoint(s, 1, -1))
print(utf8.codepoint(s), utf8.codepoint(s, 2), pcall(utf8.codepoint, s, 3), pcall(utf8.codepoint, s, 0), pcall(utf8.codepoint, s, 1, 100))
print(pcall(utf8.codepoint, "\xed\xa0\x80"), utf8.codepoint("\xed\xa0\x80", 1, 1, true), pcall(utf8.codepoint, "\xc0\x80"))
print(utf8.codepoint(s, 5, 4), utf8.codepoint("", 1, 0))
for p, c in utf8.codes(s) do print(p, c) end
print(pcall(function() for p, c in utf8.codes("ab\xffc") do print(p, c) end end))
print(pcall(function() for p, c in utf8.codes("a\x80") do print(p, c) end end))
print(pcall(function() for p, c in utf8.codes("\xed\xa0\x80", true) do print(p, c) end end))
print(pcall(function() for p, c in utf8.codes("\xed\xa0\x80") do print(p, c) end end))
for _, n in ipairs{-3, -1, 0, 1, 2, 3, 5, 7, 8, 9} do print(n, utf8.offset(s, n)) end
print(utf8.offset(s, 0, 3), pcall(utf8.offset, s, 1, 3), pcall(utf8.offset, s, 1, 4), pcall(utf8.offset, s, 1, 100), utf8.offset(s, -1, 4), utf8.offset("", 1), utf8.offset("", -1), utf8.offset("abc", 5))
print(pcall(utf8.offset, s, 1, 0), pcall(utf8.offset))
for c in s:gmatch(utf8.charpattern) do print(#c) end
print(utf8.char(0x10FFFF):byte(1, -1)) print(utf8.char(0x110000):byte(1, -1))
print(utf8.len("\xf8\x88\x80\x80\x80", 1, -1, true), utf8.codepoint("\xfd\xbf\xbf\xbf\xbf\xbf", 1, 1, true))

-- utf8.offset forwards, backwards, n = 0, continuation-byte errors; utf8.codes iteration and its errors
local s = "añ€😀z"
for n = -6, 7 do print(n, utf8.offset(s, n)) end
for _, i in ipairs{1, 2, 4, 7, 11, 12} do print(i, utf8.offset(s, 0, i), utf8.offset(s, 1, i), utf8.offset(s, -1, i)) end
print(pcall(utf8.offset, s, 1, 3), pcall(utf8.offset, s, 1, 13), pcall(utf8.offset, s, 1, 0), pcall(utf8.offset, s), utf8.offset("", 1), utf8.offset("", 0))
for p, c in utf8.codes(s) do print(p, c) end
for p, c in utf8.codes("") do print("never") end
print(pcall(function() for p, c in utf8.codes("a\xffb") do end end))
print(pcall(function() for p, c in utf8.codes("\xed\xa0\x80") do end end), pcall(function() local r = {} for p, c in utf8.codes("\xed\xa0\x80", true) do r[#r+1] = c end return r[1] end))
print(pcall(utf8.codes), pcall(utf8.codes, {}))

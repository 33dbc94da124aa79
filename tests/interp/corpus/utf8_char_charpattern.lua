-- utf8.char for ASCII, 2-4 byte and 5-6 byte (lax) code points, charpattern matching
for _, c in ipairs{0, 65, 127, 128, 2047, 2048, 65535, 65536, 0x10FFFF, 0x110000, 0x3FFFFFF, 0x7FFFFFFF} do print(c, utf8.char(c):byte(1, -1)) end
print(utf8.char(72, 105, 0x1F600), #utf8.char(), pcall(utf8.char, 0x80000000), pcall(utf8.char, -1), pcall(utf8.char, "a"), utf8.char("65"))
local n = 0 for ch in ("añ€😀"):gmatch(utf8.charpattern) do n = n + 1 print(#ch) end print(n)

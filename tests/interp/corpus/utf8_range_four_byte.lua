-- utf8 over code points 0x10000-0x10ffff: char, len, codepoint and codes, strict and lax
local step = math.max(1, (1114111 - 65536) // 40)
for c = 65536, 1114111, step do
  local s = utf8.char(c)
  print(c, #s, utf8.len(s), utf8.len(s, 1, -1, true), pcall(utf8.codepoint, s), utf8.codepoint(s, 1, 1, true), utf8.offset(s, 1), utf8.offset(s, -1))
end
local ok, err = pcall(function() local n = 0 for p, c in utf8.codes(utf8.char(65536, 1114111)) do n = n + 1 end return n end) print(ok, err)
local ok2, n2 = pcall(function() local n = 0 for p, c in utf8.codes(utf8.char(65536, 1114111), true) do n = n + 1 end return n end) print(ok2, n2)

-- utf8.len and codepoint: ranges, invalid sequences (overlong, surrogates, too large), lax mode, errors
local strs = {"", "abc", "añ€😀", "\xff", "a\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xe2\x82", "\xc3"}
for _, s in ipairs(strs) do
  print(#s, utf8.len(s), utf8.len(s, 1, -1, true), pcall(utf8.codepoint, s, 1, -1), pcall(utf8.codepoint, s, 1, -1, true))
end
local s = "añ€😀" print(utf8.len(s, 2), utf8.len(s, -4), utf8.len(s, 3), utf8.len(s, 5, 4), utf8.codepoint(s, 4), utf8.codepoint(s, 2, 4))
print(pcall(utf8.len, s, 0), pcall(utf8.len, s, 12), pcall(utf8.len, s, 1, 12), pcall(utf8.codepoint, s, 0), pcall(utf8.codepoint, s, 1, 11))
print(pcall(utf8.len), pcall(utf8.codepoint), utf8.len(123), utf8.codepoint("abc", -1))

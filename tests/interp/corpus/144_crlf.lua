-- long string with CRLF line endings is normalised
local s = load("return [[a\r\nb\rc\n\rd]]")()
print(#s, s:byte(1, -1))

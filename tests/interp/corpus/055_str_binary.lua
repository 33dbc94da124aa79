-- binary-safe strings: bytes round-trip
local s = ""
for i = 0, 255 do s = s .. string.char(i) end
print(#s, s:byte(1), s:byte(256), s:sub(66, 68))
local t = {}
for i = 1, #s do t[i] = s:byte(i) end
print(#t, t[256])
print(#"\0\0\0", ("a\0b"):find("\0"), ("a\0b"):upper() == "A\0B")
print(#"héllo", ("é"):byte(1, -1))

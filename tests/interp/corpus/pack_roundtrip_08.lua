-- string.pack/unpack round trip of '<I9 i12 I16': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<I9 i12 I16", 1 << 62, -5, math.maxinteger)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<I9 i12 I16", p)) print(#p, pcall(string.packsize, "<I9 i12 I16")) end
print(pcall(string.unpack, "<I9 i12 I16", ok and p:sub(1, -2) or ""))

-- string.pack/unpack round trip of '<i4 i8 d': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<i4 i8 d", 1, -2, 3.5)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<i4 i8 d", p)) print(#p, pcall(string.packsize, "<i4 i8 d")) end
print(pcall(string.unpack, "<i4 i8 d", ok and p:sub(1, -2) or ""))

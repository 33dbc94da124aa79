-- string.pack/unpack round trip of '<i16 i16': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<i16 i16", -1, math.mininteger)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<i16 i16", p)) print(#p, pcall(string.packsize, "<i16 i16")) end
print(pcall(string.unpack, "<i16 i16", ok and p:sub(1, -2) or ""))

-- string.pack/unpack round trip of 'i1 i2 i3 i5 i6 i7': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "i1 i2 i3 i5 i6 i7", -1, -300, 8000000, 1 << 36, -(1 << 44), 1 << 54)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("i1 i2 i3 i5 i6 i7", p)) print(#p, pcall(string.packsize, "i1 i2 i3 i5 i6 i7")) end
print(pcall(string.unpack, "i1 i2 i3 i5 i6 i7", ok and p:sub(1, -2) or ""))

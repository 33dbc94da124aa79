-- string.pack/unpack round trip of '<f f f': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<f f f", 1.5, -2.25, 1e10)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<f f f", p)) print(#p, pcall(string.packsize, "<f f f")) end
print(pcall(string.unpack, "<f f f", ok and p:sub(1, -2) or ""))

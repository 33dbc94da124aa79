-- string.pack/unpack round trip of '<T z c0': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<T z c0", 99, 'zz', '')
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<T z c0", p)) print(#p, pcall(string.packsize, "<T z c0")) end
print(pcall(string.unpack, "<T z c0", ok and p:sub(1, -2) or ""))

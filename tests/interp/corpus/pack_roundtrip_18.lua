-- string.pack/unpack round trip of '<c10 b': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<c10 b", '0123456789', 5)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<c10 b", p)) print(#p, pcall(string.packsize, "<c10 b")) end
print(pcall(string.unpack, "<c10 b", ok and p:sub(1, -2) or ""))

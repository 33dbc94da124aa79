-- string.pack/unpack round trip of '<s1 s1 s1': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<s1 s1 s1", '', 'x', 'yz')
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<s1 s1 s1", p)) print(#p, pcall(string.packsize, "<s1 s1 s1")) end
print(pcall(string.unpack, "<s1 s1 s1", ok and p:sub(1, -2) or ""))

-- string.pack/unpack round trip of '<bhilj': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<bhilj", -1, 2, -3, 4, -5)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<bhilj", p)) print(#p, pcall(string.packsize, "<bhilj")) end
print(pcall(string.unpack, "<bhilj", ok and p:sub(1, -2) or ""))

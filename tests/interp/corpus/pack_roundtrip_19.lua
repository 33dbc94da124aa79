-- string.pack/unpack round trip of '<d n f': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<d n f", 1/0, -1/0, 0.1)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<d n f", p)) print(#p, pcall(string.packsize, "<d n f")) end
print(pcall(string.unpack, "<d n f", ok and p:sub(1, -2) or ""))

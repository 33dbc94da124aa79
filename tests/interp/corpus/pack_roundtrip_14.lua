-- string.pack/unpack round trip of '>!8 d b Xd': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, ">!8 d b Xd", 0.5, 1, 2.5)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack(">!8 d b Xd", p)) print(#p, pcall(string.packsize, ">!8 d b Xd")) end
print(pcall(string.unpack, ">!8 d b Xd", ok and p:sub(1, -2) or ""))

-- string.pack/unpack round trip of '>z z z': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, ">z z z", 'a', 'b', '')
print(ok, ok and hex(p) or p)
if ok then print(string.unpack(">z z z", p)) print(#p, pcall(string.packsize, ">z z z")) end
print(pcall(string.unpack, ">z z z", ok and p:sub(1, -2) or ""))

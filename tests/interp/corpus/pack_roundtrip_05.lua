-- string.pack/unpack round trip of '>s4 c3 x I3': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, ">s4 c3 x I3", 'xyzw', 'abc', 1000)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack(">s4 c3 x I3", p)) print(#p, pcall(string.packsize, ">s4 c3 x I3")) end
print(pcall(string.unpack, ">s4 c3 x I3", ok and p:sub(1, -2) or ""))

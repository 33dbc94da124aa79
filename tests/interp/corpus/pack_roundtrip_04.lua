-- string.pack/unpack round trip of 's1 s2 z': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "s1 s2 z", 'a', 'bc', 'def')
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("s1 s2 z", p)) print(#p, pcall(string.packsize, "s1 s2 z")) end
print(pcall(string.unpack, "s1 s2 z", ok and p:sub(1, -2) or ""))

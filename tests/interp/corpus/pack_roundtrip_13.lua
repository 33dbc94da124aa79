-- string.pack/unpack round trip of '<!2 b x h': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<!2 b x h", 7, 8)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<!2 b x h", p)) print(#p, pcall(string.packsize, "<!2 b x h")) end
print(pcall(string.unpack, "<!2 b x h", ok and p:sub(1, -2) or ""))

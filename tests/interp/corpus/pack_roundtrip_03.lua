-- string.pack/unpack round trip of '<!8 b d b i4': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "<!8 b d b i4", 1, 2.5, 3, 4)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("<!8 b d b i4", p)) print(#p, pcall(string.packsize, "<!8 b d b i4")) end
print(pcall(string.unpack, "<!8 b d b i4", ok and p:sub(1, -2) or ""))

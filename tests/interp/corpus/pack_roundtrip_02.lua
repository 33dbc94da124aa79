-- string.pack/unpack round trip of '=j J n': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "=j J n", math.mininteger, -1, 1/3)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("=j J n", p)) print(#p, pcall(string.packsize, "=j J n")) end
print(pcall(string.unpack, "=j J n", ok and p:sub(1, -2) or ""))

-- string.pack/unpack round trip of '!4 h Xi4 i4': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, "!4 h Xi4 i4", 1, 2)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack("!4 h Xi4 i4", p)) print(#p, pcall(string.packsize, "!4 h Xi4 i4")) end
print(pcall(string.unpack, "!4 h Xi4 i4", ok and p:sub(1, -2) or ""))

-- string.pack/unpack round trip of '>I2 h b B': bytes, packsize where fixed, unpacked values and next position
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local ok, p = pcall(string.pack, ">I2 h b B", 65535, -32768, -128, 255)
print(ok, ok and hex(p) or p)
if ok then print(string.unpack(">I2 h b B", p)) print(#p, pcall(string.packsize, ">I2 h b B")) end
print(pcall(string.unpack, ">I2 h b B", ok and p:sub(1, -2) or ""))

-- string.pack/unpack of s[n], z, c[n]: length prefixes, zero terminators, fixed sizes, padding and errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
for _, f in ipairs{"s", "s1", "s2", ">s4", "z", "c5", "c0", "c1"} do
  for _, v in ipairs{"", "a", "hello", "\0x"} do
    local ok, p = pcall(string.pack, f, v)
    if ok then print(f, v:byte(1, -1), hex(p), string.unpack(f, p)) else print(f, p) end
  end
end
print(pcall(string.pack, "s1", string.rep("x", 256)), #string.pack("s1", string.rep("x", 255)), pcall(string.pack, "c"))
print(pcall(string.unpack, "z", "abc"), pcall(string.unpack, "s1", "\5ab"), pcall(string.unpack, "c3", "ab"), string.unpack("c2", "abc"))
print(string.unpack("zz", "a\0b\0"), string.unpack("s1s1", "\1a\2bc"), pcall(string.packsize, "s"), pcall(string.packsize, "z"))
print(string.pack("c3", 12), pcall(string.pack, "z", 1.5), string.unpack("z", string.pack("z", 15)))

-- string.pack/unpack/packsize: every option, alignment, endianness, and their errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(hex(string.pack("i4", 3)), hex(string.pack(">i2 <i2 =i3", 1, 2, -3)))
print(hex(string.pack("!4 b i4 h i8", 1, 2, 3, 4)), string.packsize("!4 b i4 h i8"))
print(hex(string.pack("i16", -2)), string.unpack("i16", string.pack("i16", -2)))
print(string.unpack("<I3 >h z s1 c3", string.pack("<I3 >h z s1 c3", 100000, -5, "hi", "abc", "xy")))
print(hex(string.pack("f d n", 1.5, -2.25, 1/3)), string.unpack("f d n", string.pack("f d n", 1.5, -2.25, 1/3)))
for _, f in ipairs{"i0", "i17", "c", "!3 i4", "Xc", "X", "q", "s", "z", "i4X", "!16 i3 Xi16"} do
  print(f, pcall(string.packsize, f))
end
print(pcall(string.pack, "i1", 128)); print(pcall(string.pack, "I1", -1)); print(pcall(string.pack, "i2"))
print(pcall(string.pack, "z", "a\0b")); print(pcall(string.pack, "c2", "abc")); print(pcall(string.pack, "s1", string.rep("x", 256)))
print(pcall(string.unpack, "i4", "abc")); print(pcall(string.unpack, "z", "abc")); print(pcall(string.unpack, "i4", "abcd", 6))
print(pcall(string.unpack, "i9", string.rep("\255", 8) .. "\1"))
print(string.unpack("i9", string.rep("\255", 9)))
print(string.unpack("B", "\200"), string.unpack("b", "\200"), string.unpack("<i2", "\1\2", -2))
print(string.pack("xXi4 i2 Xi8", 7), string.packsize("b Xi4 i2 !2 Xi8"))
print(pcall(string.pack)); print(pcall(string.unpack, "i4")); print(pcall(string.pack, "i4", "x"))
print(pcall(string.pack, "i4", 1.5)); print(string.unpack("j J T l L", string.pack("j J T l L", -1, -1, 5, 6, 7)))
print(hex(string.pack(">!8 i1 d", 1, 2)), string.unpack(">!8 i1 d", string.pack(">!8 i1 d", 1, 2)))
print(string.pack("i4", "12"), pcall(string.pack, "f", 1e300))
print(string.unpack("c0", ""), string.unpack("", "abc", 2))
print(pcall(string.pack, "i" .. string.rep("9", 20)))

-- string.pack alignment: '!' with sizes, 'x' padding, 'X' alignment to the next option, and their errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
for _, f in ipairs{"!bi4", "!2bi4", "!8 b i8", "!4 b d", "! b h", "!1 b i8", "bxi4", "b Xi4 i4", "b Xh b", "!8 b Xi8 b",
    "i3 !4 Xi4", "b x x x i1", "<!4 h i4 >!4 h i4", "!16 b i16", "!b j"} do
  local n = select("#", string.byte(f:gsub("[^bhidjx]", ""), 1, -1))
  print(f, pcall(string.packsize, f))
end
print(hex(string.pack("!4 b i4", 1, 2)), hex(string.pack("b Xi4 b", 1, 2)), hex(string.pack(">!2 b h", 1, 2)))
print(string.unpack("!4 b i4", string.pack("!4 b i4", 7, 9)), string.unpack("bXi8b", string.pack("bXi8b", 1, 2)))
for _, f in ipairs{"!3 b i4", "!5", "!17", "X", "Xc1", "Xz", "i4X", "b Xs", "!0"} do print(f, pcall(string.packsize, f)) end
print(pcall(string.pack, "X"), pcall(string.unpack, "Xi4", ""))

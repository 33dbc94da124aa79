-- string.pack/unpack/packsize of integer option 'B' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("B"), string.packsize("<B"), string.packsize(">B"))
for _, v in ipairs{0, 1, 200, 255} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "B", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "B", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "B", v)) end
print(pcall(string.pack, "B", 1.5), pcall(string.pack, "B", "12"), pcall(string.pack, "B", "x"), pcall(string.pack, "B"))
print(pcall(string.unpack, "B", ""), pcall(string.unpack, "B", string.rep("\255", 16), 2))

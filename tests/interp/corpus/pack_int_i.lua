-- string.pack/unpack/packsize of integer option 'i' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("i"), string.packsize("<i"), string.packsize(">i"))
for _, v in ipairs{-2147483648, -1, 0, 1, 2147483647} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "i", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "i", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "i", v)) end
print(pcall(string.pack, "i", 1.5), pcall(string.pack, "i", "12"), pcall(string.pack, "i", "x"), pcall(string.pack, "i"))
print(pcall(string.unpack, "i", ""), pcall(string.unpack, "i", string.rep("\255", 16), 2))

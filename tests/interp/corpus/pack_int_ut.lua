-- string.pack/unpack/packsize of integer option 'T' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("T"), string.packsize("<T"), string.packsize(">T"))
for _, v in ipairs{0, 1, 1 << 40} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "T", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "T", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "T", v)) end
print(pcall(string.pack, "T", 1.5), pcall(string.pack, "T", "12"), pcall(string.pack, "T", "x"), pcall(string.pack, "T"))
print(pcall(string.unpack, "T", ""), pcall(string.unpack, "T", string.rep("\255", 16), 2))

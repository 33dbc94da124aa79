-- string.pack/unpack/packsize of integer option 'i1' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("i1"), string.packsize("<i1"), string.packsize(">i1"))
for _, v in ipairs{-128, 127} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "i1", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "i1", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "i1", v)) end
print(pcall(string.pack, "i1", 1.5), pcall(string.pack, "i1", "12"), pcall(string.pack, "i1", "x"), pcall(string.pack, "i1"))
print(pcall(string.unpack, "i1", ""), pcall(string.unpack, "i1", string.rep("\255", 16), 2))

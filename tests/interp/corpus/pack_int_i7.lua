-- string.pack/unpack/packsize of integer option 'i7' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("i7"), string.packsize("<i7"), string.packsize(">i7"))
for _, v in ipairs{-1, 1 << 50} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "i7", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "i7", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "i7", v)) end
print(pcall(string.pack, "i7", 1.5), pcall(string.pack, "i7", "12"), pcall(string.pack, "i7", "x"), pcall(string.pack, "i7"))
print(pcall(string.unpack, "i7", ""), pcall(string.unpack, "i7", string.rep("\255", 16), 2))

-- string.pack/unpack/packsize of integer option 'i3' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("i3"), string.packsize("<i3"), string.packsize(">i3"))
for _, v in ipairs{-8388608, 8388607, -1} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "i3", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "i3", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "i3", v)) end
print(pcall(string.pack, "i3", 1.5), pcall(string.pack, "i3", "12"), pcall(string.pack, "i3", "x"), pcall(string.pack, "i3"))
print(pcall(string.unpack, "i3", ""), pcall(string.unpack, "i3", string.rep("\255", 16), 2))

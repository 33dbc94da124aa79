-- string.pack/unpack/packsize of integer option 'H' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("H"), string.packsize("<H"), string.packsize(">H"))
for _, v in ipairs{0, 1, 65535} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "H", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "H", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "H", v)) end
print(pcall(string.pack, "H", 1.5), pcall(string.pack, "H", "12"), pcall(string.pack, "H", "x"), pcall(string.pack, "H"))
print(pcall(string.unpack, "H", ""), pcall(string.unpack, "H", string.rep("\255", 16), 2))

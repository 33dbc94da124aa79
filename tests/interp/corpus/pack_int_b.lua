-- string.pack/unpack/packsize of integer option 'b' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("b"), string.packsize("<b"), string.packsize(">b"))
for _, v in ipairs{-128, -1, 0, 1, 127} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "b", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "b", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "b", v)) end
print(pcall(string.pack, "b", 1.5), pcall(string.pack, "b", "12"), pcall(string.pack, "b", "x"), pcall(string.pack, "b"))
print(pcall(string.unpack, "b", ""), pcall(string.unpack, "b", string.rep("\255", 16), 2))

-- string.pack/unpack/packsize of integer option 'i16' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("i16"), string.packsize("<i16"), string.packsize(">i16"))
for _, v in ipairs{-1, math.mininteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "i16", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "i16", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "i16", v)) end
print(pcall(string.pack, "i16", 1.5), pcall(string.pack, "i16", "12"), pcall(string.pack, "i16", "x"), pcall(string.pack, "i16"))
print(pcall(string.unpack, "i16", ""), pcall(string.unpack, "i16", string.rep("\255", 16), 2))

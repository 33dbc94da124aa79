-- string.pack/unpack/packsize of integer option 'i9' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("i9"), string.packsize("<i9"), string.packsize(">i9"))
for _, v in ipairs{-1, 0, math.maxinteger, math.mininteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "i9", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "i9", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "i9", v)) end
print(pcall(string.pack, "i9", 1.5), pcall(string.pack, "i9", "12"), pcall(string.pack, "i9", "x"), pcall(string.pack, "i9"))
print(pcall(string.unpack, "i9", ""), pcall(string.unpack, "i9", string.rep("\255", 16), 2))

-- string.pack/unpack/packsize of integer option 'I16' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("I16"), string.packsize("<I16"), string.packsize(">I16"))
for _, v in ipairs{0, 1, math.maxinteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "I16", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "I16", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "I16", v)) end
print(pcall(string.pack, "I16", 1.5), pcall(string.pack, "I16", "12"), pcall(string.pack, "I16", "x"), pcall(string.pack, "I16"))
print(pcall(string.unpack, "I16", ""), pcall(string.unpack, "I16", string.rep("\255", 16), 2))

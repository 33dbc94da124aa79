-- string.pack/unpack/packsize of integer option 'L' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("L"), string.packsize("<L"), string.packsize(">L"))
for _, v in ipairs{0, 1, -1, math.maxinteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "L", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "L", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "L", v)) end
print(pcall(string.pack, "L", 1.5), pcall(string.pack, "L", "12"), pcall(string.pack, "L", "x"), pcall(string.pack, "L"))
print(pcall(string.unpack, "L", ""), pcall(string.unpack, "L", string.rep("\255", 16), 2))

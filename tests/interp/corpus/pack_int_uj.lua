-- string.pack/unpack/packsize of integer option 'J' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("J"), string.packsize("<J"), string.packsize(">J"))
for _, v in ipairs{0, -1, math.maxinteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "J", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "J", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "J", v)) end
print(pcall(string.pack, "J", 1.5), pcall(string.pack, "J", "12"), pcall(string.pack, "J", "x"), pcall(string.pack, "J"))
print(pcall(string.unpack, "J", ""), pcall(string.unpack, "J", string.rep("\255", 16), 2))

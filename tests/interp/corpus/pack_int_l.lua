-- string.pack/unpack/packsize of integer option 'l' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("l"), string.packsize("<l"), string.packsize(">l"))
for _, v in ipairs{math.mininteger, -1, 0, math.maxinteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "l", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "l", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "l", v)) end
print(pcall(string.pack, "l", 1.5), pcall(string.pack, "l", "12"), pcall(string.pack, "l", "x"), pcall(string.pack, "l"))
print(pcall(string.unpack, "l", ""), pcall(string.unpack, "l", string.rep("\255", 16), 2))

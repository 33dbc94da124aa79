-- string.pack/unpack/packsize of integer option 'j' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("j"), string.packsize("<j"), string.packsize(">j"))
for _, v in ipairs{math.mininteger, -1, 0, 1, math.maxinteger} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "j", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "j", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "j", v)) end
print(pcall(string.pack, "j", 1.5), pcall(string.pack, "j", "12"), pcall(string.pack, "j", "x"), pcall(string.pack, "j"))
print(pcall(string.unpack, "j", ""), pcall(string.unpack, "j", string.rep("\255", 16), 2))

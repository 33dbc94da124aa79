-- string.pack/unpack/packsize of integer option 'I3' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("I3"), string.packsize("<I3"), string.packsize(">I3"))
for _, v in ipairs{0, 16777215} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "I3", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "I3", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "I3", v)) end
print(pcall(string.pack, "I3", 1.5), pcall(string.pack, "I3", "12"), pcall(string.pack, "I3", "x"), pcall(string.pack, "I3"))
print(pcall(string.unpack, "I3", ""), pcall(string.unpack, "I3", string.rep("\255", 16), 2))

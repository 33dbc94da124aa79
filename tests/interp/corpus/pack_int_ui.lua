-- string.pack/unpack/packsize of integer option 'I' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("I"), string.packsize("<I"), string.packsize(">I"))
for _, v in ipairs{0, 1, 4294967295} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "I", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "I", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "I", v)) end
print(pcall(string.pack, "I", 1.5), pcall(string.pack, "I", "12"), pcall(string.pack, "I", "x"), pcall(string.pack, "I"))
print(pcall(string.unpack, "I", ""), pcall(string.unpack, "I", string.rep("\255", 16), 2))

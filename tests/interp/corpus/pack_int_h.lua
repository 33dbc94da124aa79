-- string.pack/unpack/packsize of integer option 'h' in every endianness, with overflow errors
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(string.packsize("h"), string.packsize("<h"), string.packsize(">h"))
for _, v in ipairs{-32768, -1, 0, 1, 32767} do
  for _, e in ipairs{"<", ">", "="} do
    local ok, p = pcall(string.pack, e .. "h", v)
    if ok then print(e, v, hex(p), string.unpack(e .. "h", p)) else print(e, v, p) end
  end
end
for _, v in ipairs{1 << 62, -(1 << 62), 256, -129, 65536, 1 << 32, -1} do print(v, pcall(string.pack, "h", v)) end
print(pcall(string.pack, "h", 1.5), pcall(string.pack, "h", "12"), pcall(string.pack, "h", "x"), pcall(string.pack, "h"))
print(pcall(string.unpack, "h", ""), pcall(string.unpack, "h", string.rep("\255", 16), 2))

-- string.pack/unpack of f, d, n: rounding to float, infinities, NaN, negative zero, both endiannesses
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
for _, v in ipairs{0.0, -0.0, 1.0, -1.5, 0.1, 1/3, 1e300, -1e-300, 2^-149, 3.4028234663852886e38, 1/0, -1/0, 5, "2.5"} do
  for _, f in ipairs{"<f", ">f", "<d", ">d", "n"} do
    local p = string.pack(f, v) print(f, v, hex(p), string.unpack(f, p))
  end
end
local nan = string.unpack("d", string.pack("d", 0/0)) print(nan ~= nan)
print(pcall(string.pack, "f", "x"), pcall(string.pack, "d", {}), pcall(string.unpack, "d", "1234567"))
print(string.packsize("f"), string.packsize("d"), string.packsize("n"), string.packsize("fdn"), string.packsize("!fdn"))

-- string.pack/unpack/packsize: invalid options, sizes out of limits, missing arguments, non-string formats
for _, f in ipairs{"q", "i0", "i17", "I0", "s0", "s17", "c", "i99999999999", "!0", "!17", "y", "%", "i4 w"} do
  print(f, pcall(string.packsize, f), pcall(string.pack, f, 1), pcall(string.unpack, f, string.rep("\0", 32)))
end
print(pcall(string.pack), pcall(string.pack, 1), string.pack(""), pcall(string.pack, {}), pcall(string.unpack, "i4"), pcall(string.unpack))
print(pcall(string.pack, "i4", nil), pcall(string.pack, "i4 i4", 1), pcall(string.pack, "ii", 1, "x"), pcall(string.pack, "z", {}))
print(pcall(string.packsize, "i4", "extra"), string.packsize(""), string.packsize("   "), pcall(string.packsize, string.rep("c1000000000", 3)))

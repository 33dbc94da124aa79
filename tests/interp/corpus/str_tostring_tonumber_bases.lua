-- tonumber with bases 2-36, signs, spaces, invalid digits and wraparound; tostring of numbers
for _, b in ipairs{2, 8, 10, 16, 36} do
  print(b, tonumber("101", b), tonumber("-ff", b), tonumber("  zz  ", b), tonumber("7fffffffffffffff", b), tonumber("", b), tonumber("1.5", b), tonumber("+11", b))
end
print(tonumber("ffffffffffffffff", 16), tonumber("10000000000000000", 16), tonumber("1" .. string.rep("0", 70), 2))
print(tonumber("z", 36), tonumber("Z", 36), tonumber("10", 36), tonumber("1 0", 10), tonumber("- 1", 10), tonumber("--1", 10), tonumber("0x10", 16))
print(pcall(tonumber, "10", 1), pcall(tonumber, "10", 37), pcall(tonumber, 10, 10), pcall(tonumber, "10", "x"), pcall(tonumber, "10", 2.5))
print(tonumber("10", 16.0), tonumber("10", "16"), tonumber(nil), pcall(tonumber))

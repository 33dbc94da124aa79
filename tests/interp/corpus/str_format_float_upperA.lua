-- string.format %A: flags, widths and precisions over floats, integers, infinities and signed zeros
local vals = {0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 3.14159265358979, -2.718281828, 1e-10, 1e10, 1.5e300, -4.9e-324, 123456.789, 1/3, 2^53, 1/0, -1/0, 100, -3}
local specs = {"%A"}
for _, fl in ipairs{"", "-", "+", " ", "#", "0", "-+", "+0", "#0", " 0"} do
  for _, w in ipairs{"", "12", "25"} do
    for _, p in ipairs{"", ".0", ".1", ".4", ".17"} do specs[#specs + 1] = "%" .. fl .. w .. p .. "A" end
  end
end
for _, s in ipairs(specs) do
  local row = {}
  for _, v in ipairs(vals) do
    local ok, r = pcall(string.format, s, v)
    row[#row + 1] = ok and ("[" .. r .. "]") or ("E:" .. r)
  end
  print(s, table.concat(row, " "))
end
print(pcall(string.format, "%A", "x"), pcall(string.format, "%A", {}), pcall(string.format, "%A"))

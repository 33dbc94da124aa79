-- string.format %X: every accepted flag with widths and precisions, over integers and integral floats
local vals = {0, 1, -1, 7, -7, 42, 255, -255, 65535, 2^31, math.maxinteger, math.mininteger, 3.0, '12'}
local specs = {"%X"}
for _, fl in ipairs{"", '-', '#', '0'} do
  for _, w in ipairs{"", "1", "8", "20"} do
    for _, p in ipairs{"", ".0", ".3", ".12"} do specs[#specs + 1] = "%" .. fl .. w .. p .. "X" end
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

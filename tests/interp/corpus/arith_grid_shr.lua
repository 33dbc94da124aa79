-- operator >> over a grid of integers, floats, numeric strings, booleans and nil: results, types, errors
local vals = {0, 1, -1, 7, -7, 2, 3.5, -0.0, 0.5, math.maxinteger, math.mininteger, 2^53, 1/0, '10', '0x10', '2.5', 'x', true, nil}
local n = 19
for i = 1, n do
  local row = {}
  for j = 1, n do
    local a, b = vals[i], vals[j]
    local ok, r = pcall(function() return a >> b end)
    row[#row + 1] = ok and (tostring(r) .. (math.type(r) and math.type(r):sub(1, 1) or "")) or ("E:" .. tostring(r):gsub("^input:%d+: ", ""))
  end
  print(tostring(vals[i]), table.concat(row, " "))
end

-- concatenation of every pair of value types: results or the exact error naming the culprit
local vals = {1, 1.5, -0.0, "s", true, nil, {}, 2^63}
for i = 1, 8 do local row = {} for j = 1, 8 do
  local a, b = vals[i], vals[j]
  local ok, v = pcall(function() return a .. b end) row[#row + 1] = ok and v or v:gsub("^input:%d+: ", "")
end print(table.concat(row, " | ")) end

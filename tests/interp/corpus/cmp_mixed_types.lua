-- comparison operators across every pair of value types: results or the exact error
local vals = {1, 1.5, "1", "a", true, nil, {}, print}
local names = {"int", "float", "numstr", "str", "bool", "nil", "table", "function"}
for i = 1, 8 do for j = 1, 8 do
  local a, b = vals[i], vals[j]
  local r = {}
  for _, f in ipairs{function() return a < b end, function() return a <= b end, function() return a > b end, function() return a == b end} do
    local ok, v = pcall(f) r[#r + 1] = ok and tostring(v) or v:gsub("^input:%d+: ", "")
  end
  print(names[i], names[j], table.concat(r, " | "))
end end

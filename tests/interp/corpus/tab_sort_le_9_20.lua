-- table.sort with comparator 'le' over sizes 9-20: result, number of comparisons, and errors
for n = 9, 20, 1 do
  local t = {} for i = 1, n do t[i] = (i * 37 + 11) % (n + 3) end
  local calls = 0
  local ok, err = pcall(table.sort, t, function(a, b) calls = calls + 1 return (function(a, b) return a <= b end)(a, b) end)
  print(n, ok, err, calls, table.concat(t, ","))
end

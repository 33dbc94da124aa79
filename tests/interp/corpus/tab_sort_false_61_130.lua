-- table.sort with comparator 'false' over sizes 61-130: result, number of comparisons, and errors
for n = 61, 130, 11 do
  local t = {} for i = 1, n do t[i] = (i * 37 + 11) % (n + 3) end
  local calls = 0
  local ok, err = pcall(table.sort, t, function(a, b) calls = calls + 1 return (function() return false end)(a, b) end)
  print(n, ok, err, calls, table.concat(t, ","))
end

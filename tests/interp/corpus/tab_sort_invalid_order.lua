-- table.sort: comparators that are not strict orders raise 'invalid order function for sorting' exactly when Lua does
for n = 1, 12 do
  local t = {} for i = 1, n do t[i] = (i * 5) % 7 end
  local ok, err = pcall(table.sort, t, function(a, b) return true end)
  local ok2, err2 = pcall(table.sort, {3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, function(a, b) return a <= b end)
  print(n, ok, err, ok2, err2)
end
local t = {} for i = 1, 100 do t[i] = i % 10 end print(pcall(table.sort, t, function(a, b) return a <= b end))
local u = {} for i = 1, 100 do u[i] = 100 - i end print(pcall(table.sort, u, function() return false end), u[1], u[100])

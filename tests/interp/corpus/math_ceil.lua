-- math.ceil over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{3.2, -3.2, 3, -0.5, 2^62 + 0.5, 2^63, -2^64, '2.5'} do
  local r = table.pack(pcall(math.ceil, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.ceil)) print(pcall(math.ceil, {})) print(pcall(math.ceil, "abc")) print(pcall(math.ceil, nil))

-- math.modf over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{3.7, -3.7, 5, -0.0, 2^53, 1/0, -1/0, 0.5, '2.25'} do
  local r = table.pack(pcall(math.modf, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.modf)) print(pcall(math.modf, {})) print(pcall(math.modf, "abc")) print(pcall(math.modf, nil))

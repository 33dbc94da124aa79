-- math.sin over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, 1, -1, math.pi, math.pi / 2, 1e10} do
  local r = table.pack(pcall(math.sin, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.sin)) print(pcall(math.sin, {})) print(pcall(math.sin, "abc")) print(pcall(math.sin, nil))

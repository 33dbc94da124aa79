-- math.exp over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, 1, -1, 710, -1000, '1'} do
  local r = table.pack(pcall(math.exp, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.exp)) print(pcall(math.exp, {})) print(pcall(math.exp, "abc")) print(pcall(math.exp, nil))

-- math.sqrt over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, 1, 2, 16, 1e300, -0.0, 1/0, '9'} do
  local r = table.pack(pcall(math.sqrt, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.sqrt)) print(pcall(math.sqrt, {})) print(pcall(math.sqrt, "abc")) print(pcall(math.sqrt, nil))

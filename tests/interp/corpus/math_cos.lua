-- math.cos over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, 1, math.pi, 1e10, -0.0} do
  local r = table.pack(pcall(math.cos, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.cos)) print(pcall(math.cos, {})) print(pcall(math.cos, "abc")) print(pcall(math.cos, nil))

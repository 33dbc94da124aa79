-- math.deg over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, math.pi, -1, 1/0, 3} do
  local r = table.pack(pcall(math.deg, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.deg)) print(pcall(math.deg, {})) print(pcall(math.deg, "abc")) print(pcall(math.deg, nil))

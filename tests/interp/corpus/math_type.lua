-- math.type over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{1, 1.0, '1', true, {}, math.huge, math.mininteger} do
  local r = table.pack(pcall(math.type, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.type)) print(pcall(math.type, {})) print(pcall(math.type, "abc")) print(pcall(math.type, nil))

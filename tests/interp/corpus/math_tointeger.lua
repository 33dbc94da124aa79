-- math.tointeger over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{3, 3.0, 3.5, '8', '8.0', 'x', 2^63, -2^63, true} do
  local r = table.pack(pcall(math.tointeger, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.tointeger)) print(pcall(math.tointeger, {})) print(pcall(math.tointeger, "abc")) print(pcall(math.tointeger, nil))

-- math.floor over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{3.7, -3.7, 3, -0.0, 0.5, 2^53 + 0.5, 2^63, -2^63, 1e300, '2.5', '7'} do
  local r = table.pack(pcall(math.floor, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.floor)) print(pcall(math.floor, {})) print(pcall(math.floor, "abc")) print(pcall(math.floor, nil))

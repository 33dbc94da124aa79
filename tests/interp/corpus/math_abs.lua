-- math.abs over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{-3, 3, -3.5, -0.0, math.mininteger, math.maxinteger, '-2', '-2.5', -1/0} do
  local r = table.pack(pcall(math.abs, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.abs)) print(pcall(math.abs, {})) print(pcall(math.abs, "abc")) print(pcall(math.abs, nil))

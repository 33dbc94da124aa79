-- math.rad over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, 180, -90, 45, 1/0} do
  local r = table.pack(pcall(math.rad, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.rad)) print(pcall(math.rad, {})) print(pcall(math.rad, "abc")) print(pcall(math.rad, nil))

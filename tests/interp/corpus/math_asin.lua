-- math.asin over integers, floats, strings, infinities and bad arguments
for _, v in ipairs{0, 0.5, 1, -1, 1.5} do
  local r = table.pack(pcall(math.asin, v))
  for i = 1, r.n do r[i] = tostring(r[i]) .. (math.type(r[i]) and ("/" .. math.type(r[i])) or "") end
  print(type(v) == "table" and "a table" or tostring(v), table.concat(r, " ", 1, r.n))
end
print(pcall(math.asin)) print(pcall(math.asin, {})) print(pcall(math.asin, "abc")) print(pcall(math.asin, nil))

-- math.atan with one and two arguments across quadrants, zeros and infinities
for _, y in ipairs{0, -0.0, 1, -1, 1/0, -1/0} do
  local row = {} for _, x in ipairs{1, -1, 0, -0.0, 1/0, -1/0} do row[#row + 1] = string.format("%.6f", math.atan(y, x)) end
  print(y, math.atan(y), table.concat(row, " "))
end
print(pcall(math.atan), pcall(math.atan, 1, "x"), math.atan("1"))

-- string.sub: every combination of positive, negative, zero and out-of-range indices
local s = "abcdef"
local idx = {-100, -7, -6, -3, -1, 0, 1, 3, 6, 7, 100}
for _, i in ipairs(idx) do
  local row = {} for _, j in ipairs(idx) do row[#row + 1] = "[" .. s:sub(i, j) .. "]" end print(i, table.concat(row))
end
print(s:sub(3), s:sub(-2), (""):sub(1, 1), s:sub(math.mininteger, math.maxinteger), s:sub(2.0, 3), pcall(s.sub, s, 1.5))
print(pcall(string.sub), pcall(string.sub, "x"), s:sub("2", "3"))

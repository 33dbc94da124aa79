-- tonumber in base 29: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 29)
print(tonumber(ok, 29), tonumber(ok:upper(), 29), tonumber("-" .. ok, 29), tonumber(" +" .. ok .. " ", 29))
print(tonumber("10", 29), tonumber("100", 29), tonumber(digits:sub(29, 29):rep(5), 29), tonumber(digits:sub(29, 29):rep(40), 29))
print(tonumber(digits:sub(29 + 1, 29 + 1), 29), tonumber("1" .. digits:sub(29 + 1, 29 + 1), 29), tonumber("", 29), tonumber("-", 29), tonumber("1.0", 29), tonumber("0x1", 29))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 29 s = digits:sub(d + 1, d + 1) .. s v = v // 29 until v == 0
  print(n, s, tonumber(s, 29) == math.tointeger(n))
end

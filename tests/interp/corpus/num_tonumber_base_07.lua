-- tonumber in base 7: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 7)
print(tonumber(ok, 7), tonumber(ok:upper(), 7), tonumber("-" .. ok, 7), tonumber(" +" .. ok .. " ", 7))
print(tonumber("10", 7), tonumber("100", 7), tonumber(digits:sub(7, 7):rep(5), 7), tonumber(digits:sub(7, 7):rep(40), 7))
print(tonumber(digits:sub(7 + 1, 7 + 1), 7), tonumber("1" .. digits:sub(7 + 1, 7 + 1), 7), tonumber("", 7), tonumber("-", 7), tonumber("1.0", 7), tonumber("0x1", 7))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 7 s = digits:sub(d + 1, d + 1) .. s v = v // 7 until v == 0
  print(n, s, tonumber(s, 7) == math.tointeger(n))
end

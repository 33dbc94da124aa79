-- tonumber in base 6: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 6)
print(tonumber(ok, 6), tonumber(ok:upper(), 6), tonumber("-" .. ok, 6), tonumber(" +" .. ok .. " ", 6))
print(tonumber("10", 6), tonumber("100", 6), tonumber(digits:sub(6, 6):rep(5), 6), tonumber(digits:sub(6, 6):rep(40), 6))
print(tonumber(digits:sub(6 + 1, 6 + 1), 6), tonumber("1" .. digits:sub(6 + 1, 6 + 1), 6), tonumber("", 6), tonumber("-", 6), tonumber("1.0", 6), tonumber("0x1", 6))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 6 s = digits:sub(d + 1, d + 1) .. s v = v // 6 until v == 0
  print(n, s, tonumber(s, 6) == math.tointeger(n))
end

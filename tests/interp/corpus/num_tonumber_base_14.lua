-- tonumber in base 14: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 14)
print(tonumber(ok, 14), tonumber(ok:upper(), 14), tonumber("-" .. ok, 14), tonumber(" +" .. ok .. " ", 14))
print(tonumber("10", 14), tonumber("100", 14), tonumber(digits:sub(14, 14):rep(5), 14), tonumber(digits:sub(14, 14):rep(40), 14))
print(tonumber(digits:sub(14 + 1, 14 + 1), 14), tonumber("1" .. digits:sub(14 + 1, 14 + 1), 14), tonumber("", 14), tonumber("-", 14), tonumber("1.0", 14), tonumber("0x1", 14))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 14 s = digits:sub(d + 1, d + 1) .. s v = v // 14 until v == 0
  print(n, s, tonumber(s, 14) == math.tointeger(n))
end

-- tonumber in base 13: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 13)
print(tonumber(ok, 13), tonumber(ok:upper(), 13), tonumber("-" .. ok, 13), tonumber(" +" .. ok .. " ", 13))
print(tonumber("10", 13), tonumber("100", 13), tonumber(digits:sub(13, 13):rep(5), 13), tonumber(digits:sub(13, 13):rep(40), 13))
print(tonumber(digits:sub(13 + 1, 13 + 1), 13), tonumber("1" .. digits:sub(13 + 1, 13 + 1), 13), tonumber("", 13), tonumber("-", 13), tonumber("1.0", 13), tonumber("0x1", 13))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 13 s = digits:sub(d + 1, d + 1) .. s v = v // 13 until v == 0
  print(n, s, tonumber(s, 13) == math.tointeger(n))
end

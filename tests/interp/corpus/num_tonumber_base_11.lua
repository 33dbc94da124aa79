-- tonumber in base 11: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 11)
print(tonumber(ok, 11), tonumber(ok:upper(), 11), tonumber("-" .. ok, 11), tonumber(" +" .. ok .. " ", 11))
print(tonumber("10", 11), tonumber("100", 11), tonumber(digits:sub(11, 11):rep(5), 11), tonumber(digits:sub(11, 11):rep(40), 11))
print(tonumber(digits:sub(11 + 1, 11 + 1), 11), tonumber("1" .. digits:sub(11 + 1, 11 + 1), 11), tonumber("", 11), tonumber("-", 11), tonumber("1.0", 11), tonumber("0x1", 11))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 11 s = digits:sub(d + 1, d + 1) .. s v = v // 11 until v == 0
  print(n, s, tonumber(s, 11) == math.tointeger(n))
end

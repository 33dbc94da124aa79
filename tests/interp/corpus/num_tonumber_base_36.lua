-- tonumber in base 36: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 36)
print(tonumber(ok, 36), tonumber(ok:upper(), 36), tonumber("-" .. ok, 36), tonumber(" +" .. ok .. " ", 36))
print(tonumber("10", 36), tonumber("100", 36), tonumber(digits:sub(36, 36):rep(5), 36), tonumber(digits:sub(36, 36):rep(40), 36))
print(tonumber(digits:sub(36 + 1, 36 + 1), 36), tonumber("1" .. digits:sub(36 + 1, 36 + 1), 36), tonumber("", 36), tonumber("-", 36), tonumber("1.0", 36), tonumber("0x1", 36))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 36 s = digits:sub(d + 1, d + 1) .. s v = v // 36 until v == 0
  print(n, s, tonumber(s, 36) == math.tointeger(n))
end

-- tonumber in base 24: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 24)
print(tonumber(ok, 24), tonumber(ok:upper(), 24), tonumber("-" .. ok, 24), tonumber(" +" .. ok .. " ", 24))
print(tonumber("10", 24), tonumber("100", 24), tonumber(digits:sub(24, 24):rep(5), 24), tonumber(digits:sub(24, 24):rep(40), 24))
print(tonumber(digits:sub(24 + 1, 24 + 1), 24), tonumber("1" .. digits:sub(24 + 1, 24 + 1), 24), tonumber("", 24), tonumber("-", 24), tonumber("1.0", 24), tonumber("0x1", 24))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 24 s = digits:sub(d + 1, d + 1) .. s v = v // 24 until v == 0
  print(n, s, tonumber(s, 24) == math.tointeger(n))
end

-- tonumber in base 8: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 8)
print(tonumber(ok, 8), tonumber(ok:upper(), 8), tonumber("-" .. ok, 8), tonumber(" +" .. ok .. " ", 8))
print(tonumber("10", 8), tonumber("100", 8), tonumber(digits:sub(8, 8):rep(5), 8), tonumber(digits:sub(8, 8):rep(40), 8))
print(tonumber(digits:sub(8 + 1, 8 + 1), 8), tonumber("1" .. digits:sub(8 + 1, 8 + 1), 8), tonumber("", 8), tonumber("-", 8), tonumber("1.0", 8), tonumber("0x1", 8))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 8 s = digits:sub(d + 1, d + 1) .. s v = v // 8 until v == 0
  print(n, s, tonumber(s, 8) == math.tointeger(n))
end

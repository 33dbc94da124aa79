-- tonumber in base 15: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 15)
print(tonumber(ok, 15), tonumber(ok:upper(), 15), tonumber("-" .. ok, 15), tonumber(" +" .. ok .. " ", 15))
print(tonumber("10", 15), tonumber("100", 15), tonumber(digits:sub(15, 15):rep(5), 15), tonumber(digits:sub(15, 15):rep(40), 15))
print(tonumber(digits:sub(15 + 1, 15 + 1), 15), tonumber("1" .. digits:sub(15 + 1, 15 + 1), 15), tonumber("", 15), tonumber("-", 15), tonumber("1.0", 15), tonumber("0x1", 15))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 15 s = digits:sub(d + 1, d + 1) .. s v = v // 15 until v == 0
  print(n, s, tonumber(s, 15) == math.tointeger(n))
end

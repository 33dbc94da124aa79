-- tonumber in base 17: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 17)
print(tonumber(ok, 17), tonumber(ok:upper(), 17), tonumber("-" .. ok, 17), tonumber(" +" .. ok .. " ", 17))
print(tonumber("10", 17), tonumber("100", 17), tonumber(digits:sub(17, 17):rep(5), 17), tonumber(digits:sub(17, 17):rep(40), 17))
print(tonumber(digits:sub(17 + 1, 17 + 1), 17), tonumber("1" .. digits:sub(17 + 1, 17 + 1), 17), tonumber("", 17), tonumber("-", 17), tonumber("1.0", 17), tonumber("0x1", 17))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 17 s = digits:sub(d + 1, d + 1) .. s v = v // 17 until v == 0
  print(n, s, tonumber(s, 17) == math.tointeger(n))
end

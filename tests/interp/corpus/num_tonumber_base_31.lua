-- tonumber in base 31: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 31)
print(tonumber(ok, 31), tonumber(ok:upper(), 31), tonumber("-" .. ok, 31), tonumber(" +" .. ok .. " ", 31))
print(tonumber("10", 31), tonumber("100", 31), tonumber(digits:sub(31, 31):rep(5), 31), tonumber(digits:sub(31, 31):rep(40), 31))
print(tonumber(digits:sub(31 + 1, 31 + 1), 31), tonumber("1" .. digits:sub(31 + 1, 31 + 1), 31), tonumber("", 31), tonumber("-", 31), tonumber("1.0", 31), tonumber("0x1", 31))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 31 s = digits:sub(d + 1, d + 1) .. s v = v // 31 until v == 0
  print(n, s, tonumber(s, 31) == math.tointeger(n))
end

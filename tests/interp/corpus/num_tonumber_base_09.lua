-- tonumber in base 9: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 9)
print(tonumber(ok, 9), tonumber(ok:upper(), 9), tonumber("-" .. ok, 9), tonumber(" +" .. ok .. " ", 9))
print(tonumber("10", 9), tonumber("100", 9), tonumber(digits:sub(9, 9):rep(5), 9), tonumber(digits:sub(9, 9):rep(40), 9))
print(tonumber(digits:sub(9 + 1, 9 + 1), 9), tonumber("1" .. digits:sub(9 + 1, 9 + 1), 9), tonumber("", 9), tonumber("-", 9), tonumber("1.0", 9), tonumber("0x1", 9))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 9 s = digits:sub(d + 1, d + 1) .. s v = v // 9 until v == 0
  print(n, s, tonumber(s, 9) == math.tointeger(n))
end

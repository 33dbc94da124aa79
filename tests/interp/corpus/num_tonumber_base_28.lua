-- tonumber in base 28: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 28)
print(tonumber(ok, 28), tonumber(ok:upper(), 28), tonumber("-" .. ok, 28), tonumber(" +" .. ok .. " ", 28))
print(tonumber("10", 28), tonumber("100", 28), tonumber(digits:sub(28, 28):rep(5), 28), tonumber(digits:sub(28, 28):rep(40), 28))
print(tonumber(digits:sub(28 + 1, 28 + 1), 28), tonumber("1" .. digits:sub(28 + 1, 28 + 1), 28), tonumber("", 28), tonumber("-", 28), tonumber("1.0", 28), tonumber("0x1", 28))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 28 s = digits:sub(d + 1, d + 1) .. s v = v // 28 until v == 0
  print(n, s, tonumber(s, 28) == math.tointeger(n))
end

-- tonumber in base 10: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 10)
print(tonumber(ok, 10), tonumber(ok:upper(), 10), tonumber("-" .. ok, 10), tonumber(" +" .. ok .. " ", 10))
print(tonumber("10", 10), tonumber("100", 10), tonumber(digits:sub(10, 10):rep(5), 10), tonumber(digits:sub(10, 10):rep(40), 10))
print(tonumber(digits:sub(10 + 1, 10 + 1), 10), tonumber("1" .. digits:sub(10 + 1, 10 + 1), 10), tonumber("", 10), tonumber("-", 10), tonumber("1.0", 10), tonumber("0x1", 10))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 10 s = digits:sub(d + 1, d + 1) .. s v = v // 10 until v == 0
  print(n, s, tonumber(s, 10) == math.tointeger(n))
end

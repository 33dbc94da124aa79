-- tonumber in base 5: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 5)
print(tonumber(ok, 5), tonumber(ok:upper(), 5), tonumber("-" .. ok, 5), tonumber(" +" .. ok .. " ", 5))
print(tonumber("10", 5), tonumber("100", 5), tonumber(digits:sub(5, 5):rep(5), 5), tonumber(digits:sub(5, 5):rep(40), 5))
print(tonumber(digits:sub(5 + 1, 5 + 1), 5), tonumber("1" .. digits:sub(5 + 1, 5 + 1), 5), tonumber("", 5), tonumber("-", 5), tonumber("1.0", 5), tonumber("0x1", 5))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 5 s = digits:sub(d + 1, d + 1) .. s v = v // 5 until v == 0
  print(n, s, tonumber(s, 5) == math.tointeger(n))
end

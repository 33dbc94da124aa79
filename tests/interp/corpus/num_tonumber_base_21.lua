-- tonumber in base 21: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 21)
print(tonumber(ok, 21), tonumber(ok:upper(), 21), tonumber("-" .. ok, 21), tonumber(" +" .. ok .. " ", 21))
print(tonumber("10", 21), tonumber("100", 21), tonumber(digits:sub(21, 21):rep(5), 21), tonumber(digits:sub(21, 21):rep(40), 21))
print(tonumber(digits:sub(21 + 1, 21 + 1), 21), tonumber("1" .. digits:sub(21 + 1, 21 + 1), 21), tonumber("", 21), tonumber("-", 21), tonumber("1.0", 21), tonumber("0x1", 21))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 21 s = digits:sub(d + 1, d + 1) .. s v = v // 21 until v == 0
  print(n, s, tonumber(s, 21) == math.tointeger(n))
end

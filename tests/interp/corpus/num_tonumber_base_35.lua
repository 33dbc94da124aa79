-- tonumber in base 35: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 35)
print(tonumber(ok, 35), tonumber(ok:upper(), 35), tonumber("-" .. ok, 35), tonumber(" +" .. ok .. " ", 35))
print(tonumber("10", 35), tonumber("100", 35), tonumber(digits:sub(35, 35):rep(5), 35), tonumber(digits:sub(35, 35):rep(40), 35))
print(tonumber(digits:sub(35 + 1, 35 + 1), 35), tonumber("1" .. digits:sub(35 + 1, 35 + 1), 35), tonumber("", 35), tonumber("-", 35), tonumber("1.0", 35), tonumber("0x1", 35))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 35 s = digits:sub(d + 1, d + 1) .. s v = v // 35 until v == 0
  print(n, s, tonumber(s, 35) == math.tointeger(n))
end

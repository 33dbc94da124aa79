-- tonumber in base 27: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 27)
print(tonumber(ok, 27), tonumber(ok:upper(), 27), tonumber("-" .. ok, 27), tonumber(" +" .. ok .. " ", 27))
print(tonumber("10", 27), tonumber("100", 27), tonumber(digits:sub(27, 27):rep(5), 27), tonumber(digits:sub(27, 27):rep(40), 27))
print(tonumber(digits:sub(27 + 1, 27 + 1), 27), tonumber("1" .. digits:sub(27 + 1, 27 + 1), 27), tonumber("", 27), tonumber("-", 27), tonumber("1.0", 27), tonumber("0x1", 27))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 27 s = digits:sub(d + 1, d + 1) .. s v = v // 27 until v == 0
  print(n, s, tonumber(s, 27) == math.tointeger(n))
end

-- tonumber in base 18: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 18)
print(tonumber(ok, 18), tonumber(ok:upper(), 18), tonumber("-" .. ok, 18), tonumber(" +" .. ok .. " ", 18))
print(tonumber("10", 18), tonumber("100", 18), tonumber(digits:sub(18, 18):rep(5), 18), tonumber(digits:sub(18, 18):rep(40), 18))
print(tonumber(digits:sub(18 + 1, 18 + 1), 18), tonumber("1" .. digits:sub(18 + 1, 18 + 1), 18), tonumber("", 18), tonumber("-", 18), tonumber("1.0", 18), tonumber("0x1", 18))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 18 s = digits:sub(d + 1, d + 1) .. s v = v // 18 until v == 0
  print(n, s, tonumber(s, 18) == math.tointeger(n))
end

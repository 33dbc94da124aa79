-- tonumber in base 12: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 12)
print(tonumber(ok, 12), tonumber(ok:upper(), 12), tonumber("-" .. ok, 12), tonumber(" +" .. ok .. " ", 12))
print(tonumber("10", 12), tonumber("100", 12), tonumber(digits:sub(12, 12):rep(5), 12), tonumber(digits:sub(12, 12):rep(40), 12))
print(tonumber(digits:sub(12 + 1, 12 + 1), 12), tonumber("1" .. digits:sub(12 + 1, 12 + 1), 12), tonumber("", 12), tonumber("-", 12), tonumber("1.0", 12), tonumber("0x1", 12))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 12 s = digits:sub(d + 1, d + 1) .. s v = v // 12 until v == 0
  print(n, s, tonumber(s, 12) == math.tointeger(n))
end

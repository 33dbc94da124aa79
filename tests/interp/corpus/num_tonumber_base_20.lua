-- tonumber in base 20: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 20)
print(tonumber(ok, 20), tonumber(ok:upper(), 20), tonumber("-" .. ok, 20), tonumber(" +" .. ok .. " ", 20))
print(tonumber("10", 20), tonumber("100", 20), tonumber(digits:sub(20, 20):rep(5), 20), tonumber(digits:sub(20, 20):rep(40), 20))
print(tonumber(digits:sub(20 + 1, 20 + 1), 20), tonumber("1" .. digits:sub(20 + 1, 20 + 1), 20), tonumber("", 20), tonumber("-", 20), tonumber("1.0", 20), tonumber("0x1", 20))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 20 s = digits:sub(d + 1, d + 1) .. s v = v // 20 until v == 0
  print(n, s, tonumber(s, 20) == math.tointeger(n))
end

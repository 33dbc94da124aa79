-- tonumber in base 30: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 30)
print(tonumber(ok, 30), tonumber(ok:upper(), 30), tonumber("-" .. ok, 30), tonumber(" +" .. ok .. " ", 30))
print(tonumber("10", 30), tonumber("100", 30), tonumber(digits:sub(30, 30):rep(5), 30), tonumber(digits:sub(30, 30):rep(40), 30))
print(tonumber(digits:sub(30 + 1, 30 + 1), 30), tonumber("1" .. digits:sub(30 + 1, 30 + 1), 30), tonumber("", 30), tonumber("-", 30), tonumber("1.0", 30), tonumber("0x1", 30))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 30 s = digits:sub(d + 1, d + 1) .. s v = v // 30 until v == 0
  print(n, s, tonumber(s, 30) == math.tointeger(n))
end

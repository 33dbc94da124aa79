-- tonumber in base 23: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 23)
print(tonumber(ok, 23), tonumber(ok:upper(), 23), tonumber("-" .. ok, 23), tonumber(" +" .. ok .. " ", 23))
print(tonumber("10", 23), tonumber("100", 23), tonumber(digits:sub(23, 23):rep(5), 23), tonumber(digits:sub(23, 23):rep(40), 23))
print(tonumber(digits:sub(23 + 1, 23 + 1), 23), tonumber("1" .. digits:sub(23 + 1, 23 + 1), 23), tonumber("", 23), tonumber("-", 23), tonumber("1.0", 23), tonumber("0x1", 23))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 23 s = digits:sub(d + 1, d + 1) .. s v = v // 23 until v == 0
  print(n, s, tonumber(s, 23) == math.tointeger(n))
end

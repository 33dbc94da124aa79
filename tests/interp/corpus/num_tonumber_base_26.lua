-- tonumber in base 26: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 26)
print(tonumber(ok, 26), tonumber(ok:upper(), 26), tonumber("-" .. ok, 26), tonumber(" +" .. ok .. " ", 26))
print(tonumber("10", 26), tonumber("100", 26), tonumber(digits:sub(26, 26):rep(5), 26), tonumber(digits:sub(26, 26):rep(40), 26))
print(tonumber(digits:sub(26 + 1, 26 + 1), 26), tonumber("1" .. digits:sub(26 + 1, 26 + 1), 26), tonumber("", 26), tonumber("-", 26), tonumber("1.0", 26), tonumber("0x1", 26))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 26 s = digits:sub(d + 1, d + 1) .. s v = v // 26 until v == 0
  print(n, s, tonumber(s, 26) == math.tointeger(n))
end

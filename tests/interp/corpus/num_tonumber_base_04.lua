-- tonumber in base 4: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 4)
print(tonumber(ok, 4), tonumber(ok:upper(), 4), tonumber("-" .. ok, 4), tonumber(" +" .. ok .. " ", 4))
print(tonumber("10", 4), tonumber("100", 4), tonumber(digits:sub(4, 4):rep(5), 4), tonumber(digits:sub(4, 4):rep(40), 4))
print(tonumber(digits:sub(4 + 1, 4 + 1), 4), tonumber("1" .. digits:sub(4 + 1, 4 + 1), 4), tonumber("", 4), tonumber("-", 4), tonumber("1.0", 4), tonumber("0x1", 4))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 4 s = digits:sub(d + 1, d + 1) .. s v = v // 4 until v == 0
  print(n, s, tonumber(s, 4) == math.tointeger(n))
end

-- tonumber in base 3: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 3)
print(tonumber(ok, 3), tonumber(ok:upper(), 3), tonumber("-" .. ok, 3), tonumber(" +" .. ok .. " ", 3))
print(tonumber("10", 3), tonumber("100", 3), tonumber(digits:sub(3, 3):rep(5), 3), tonumber(digits:sub(3, 3):rep(40), 3))
print(tonumber(digits:sub(3 + 1, 3 + 1), 3), tonumber("1" .. digits:sub(3 + 1, 3 + 1), 3), tonumber("", 3), tonumber("-", 3), tonumber("1.0", 3), tonumber("0x1", 3))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 3 s = digits:sub(d + 1, d + 1) .. s v = v // 3 until v == 0
  print(n, s, tonumber(s, 3) == math.tointeger(n))
end

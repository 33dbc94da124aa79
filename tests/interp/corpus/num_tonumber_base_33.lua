-- tonumber in base 33: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 33)
print(tonumber(ok, 33), tonumber(ok:upper(), 33), tonumber("-" .. ok, 33), tonumber(" +" .. ok .. " ", 33))
print(tonumber("10", 33), tonumber("100", 33), tonumber(digits:sub(33, 33):rep(5), 33), tonumber(digits:sub(33, 33):rep(40), 33))
print(tonumber(digits:sub(33 + 1, 33 + 1), 33), tonumber("1" .. digits:sub(33 + 1, 33 + 1), 33), tonumber("", 33), tonumber("-", 33), tonumber("1.0", 33), tonumber("0x1", 33))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 33 s = digits:sub(d + 1, d + 1) .. s v = v // 33 until v == 0
  print(n, s, tonumber(s, 33) == math.tointeger(n))
end

-- tonumber in base 16: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 16)
print(tonumber(ok, 16), tonumber(ok:upper(), 16), tonumber("-" .. ok, 16), tonumber(" +" .. ok .. " ", 16))
print(tonumber("10", 16), tonumber("100", 16), tonumber(digits:sub(16, 16):rep(5), 16), tonumber(digits:sub(16, 16):rep(40), 16))
print(tonumber(digits:sub(16 + 1, 16 + 1), 16), tonumber("1" .. digits:sub(16 + 1, 16 + 1), 16), tonumber("", 16), tonumber("-", 16), tonumber("1.0", 16), tonumber("0x1", 16))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 16 s = digits:sub(d + 1, d + 1) .. s v = v // 16 until v == 0
  print(n, s, tonumber(s, 16) == math.tointeger(n))
end

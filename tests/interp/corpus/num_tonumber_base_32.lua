-- tonumber in base 32: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 32)
print(tonumber(ok, 32), tonumber(ok:upper(), 32), tonumber("-" .. ok, 32), tonumber(" +" .. ok .. " ", 32))
print(tonumber("10", 32), tonumber("100", 32), tonumber(digits:sub(32, 32):rep(5), 32), tonumber(digits:sub(32, 32):rep(40), 32))
print(tonumber(digits:sub(32 + 1, 32 + 1), 32), tonumber("1" .. digits:sub(32 + 1, 32 + 1), 32), tonumber("", 32), tonumber("-", 32), tonumber("1.0", 32), tonumber("0x1", 32))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 32 s = digits:sub(d + 1, d + 1) .. s v = v // 32 until v == 0
  print(n, s, tonumber(s, 32) == math.tointeger(n))
end

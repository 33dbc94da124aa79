-- tonumber in base 19: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 19)
print(tonumber(ok, 19), tonumber(ok:upper(), 19), tonumber("-" .. ok, 19), tonumber(" +" .. ok .. " ", 19))
print(tonumber("10", 19), tonumber("100", 19), tonumber(digits:sub(19, 19):rep(5), 19), tonumber(digits:sub(19, 19):rep(40), 19))
print(tonumber(digits:sub(19 + 1, 19 + 1), 19), tonumber("1" .. digits:sub(19 + 1, 19 + 1), 19), tonumber("", 19), tonumber("-", 19), tonumber("1.0", 19), tonumber("0x1", 19))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 19 s = digits:sub(d + 1, d + 1) .. s v = v // 19 until v == 0
  print(n, s, tonumber(s, 19) == math.tointeger(n))
end

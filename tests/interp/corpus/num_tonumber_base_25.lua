-- tonumber in base 25: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 25)
print(tonumber(ok, 25), tonumber(ok:upper(), 25), tonumber("-" .. ok, 25), tonumber(" +" .. ok .. " ", 25))
print(tonumber("10", 25), tonumber("100", 25), tonumber(digits:sub(25, 25):rep(5), 25), tonumber(digits:sub(25, 25):rep(40), 25))
print(tonumber(digits:sub(25 + 1, 25 + 1), 25), tonumber("1" .. digits:sub(25 + 1, 25 + 1), 25), tonumber("", 25), tonumber("-", 25), tonumber("1.0", 25), tonumber("0x1", 25))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 25 s = digits:sub(d + 1, d + 1) .. s v = v // 25 until v == 0
  print(n, s, tonumber(s, 25) == math.tointeger(n))
end

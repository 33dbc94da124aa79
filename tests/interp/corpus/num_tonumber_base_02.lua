-- tonumber in base 2: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 2)
print(tonumber(ok, 2), tonumber(ok:upper(), 2), tonumber("-" .. ok, 2), tonumber(" +" .. ok .. " ", 2))
print(tonumber("10", 2), tonumber("100", 2), tonumber(digits:sub(2, 2):rep(5), 2), tonumber(digits:sub(2, 2):rep(40), 2))
print(tonumber(digits:sub(2 + 1, 2 + 1), 2), tonumber("1" .. digits:sub(2 + 1, 2 + 1), 2), tonumber("", 2), tonumber("-", 2), tonumber("1.0", 2), tonumber("0x1", 2))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 2 s = digits:sub(d + 1, d + 1) .. s v = v // 2 until v == 0
  print(n, s, tonumber(s, 2) == math.tointeger(n))
end

-- tonumber in base 34: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 34)
print(tonumber(ok, 34), tonumber(ok:upper(), 34), tonumber("-" .. ok, 34), tonumber(" +" .. ok .. " ", 34))
print(tonumber("10", 34), tonumber("100", 34), tonumber(digits:sub(34, 34):rep(5), 34), tonumber(digits:sub(34, 34):rep(40), 34))
print(tonumber(digits:sub(34 + 1, 34 + 1), 34), tonumber("1" .. digits:sub(34 + 1, 34 + 1), 34), tonumber("", 34), tonumber("-", 34), tonumber("1.0", 34), tonumber("0x1", 34))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 34 s = digits:sub(d + 1, d + 1) .. s v = v // 34 until v == 0
  print(n, s, tonumber(s, 34) == math.tointeger(n))
end

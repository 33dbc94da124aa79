-- tonumber in base 22: digits, case, signs, spaces, invalid digits, 64-bit wraparound
local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local ok = digits:sub(1, 22)
print(tonumber(ok, 22), tonumber(ok:upper(), 22), tonumber("-" .. ok, 22), tonumber(" +" .. ok .. " ", 22))
print(tonumber("10", 22), tonumber("100", 22), tonumber(digits:sub(22, 22):rep(5), 22), tonumber(digits:sub(22, 22):rep(40), 22))
print(tonumber(digits:sub(22 + 1, 22 + 1), 22), tonumber("1" .. digits:sub(22 + 1, 22 + 1), 22), tonumber("", 22), tonumber("-", 22), tonumber("1.0", 22), tonumber("0x1", 22))
for _, n in ipairs{0, 1, 7, 100, 12345, 2^40, math.maxinteger} do
  local s, v = "", math.tointeger(n)
  repeat local d = v % 22 s = digits:sub(d + 1, d + 1) .. s v = v // 22 until v == 0
  print(n, s, tonumber(s, 22) == math.tointeger(n))
end

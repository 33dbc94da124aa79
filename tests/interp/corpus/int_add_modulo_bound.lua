-- an integer plus or minus an integer modulo a positive constant wraps around as Lua's does
for i = 1, 3 do
  local s = 9223372036854775805
  s = s + (i * 5 % 7)
  local t = -9223372036854775807
  t = t - (i * 3 % 4)
  print(i, s, t, math.type(s), math.type(t))
end
local acc = 0
for i = 1, 20 do acc = acc + i % 3 - (i * i) % 5 end
print(acc)
local u = 9223372036854775807
for i = 1, 2 do u = u + (i % 1) end
print(u)

-- closures made in a goto loop each see their own local
local fs = {}
do
  local n = 0
  ::top::
  local k = n
  fs[#fs + 1] = function() return k end
  n = n + 1
  if n < 3 then goto top end
end
print(fs[1](), fs[2](), fs[3]())
-- break, continue-like gotos and returns from such a block inside loops
for j = 1, 3 do
  local m = 0
  ::again::
  local v = m
  local g = function() return v end
  m = m + 1
  if m < j then goto again end
  if j == 2 then break end
  print("j", j, g())
end
local function r()
  local x = 0
  ::l::
  local y = x
  local h = function() return y end
  x = x + 1
  if x == 2 then return h() end
  goto l
end
print(r())
while true do
  local q = 1
  ::z::
  local w = function() return q end
  q = q + 1
  if q < 3 then goto z end
  break
end
print("done")

local function foo ()
  local t = {}
  do
  local i = 1
  local a, b, c, d
  t[1] = function () return a, b, c, d end
  ::l1::
  local b
  do
    local c
    t[#t + 1] = function () return a, b, c, d end    -- t[2], t[4], t[6]
    if i > 2 then goto l2 end
    do
      local d
      t[#t + 1] = function () return a, b, c, d end   -- t[3], t[5]
      i = i + 1
      local a
      goto l1
    end
  end
  end
  ::l2:: return t
end
local a = foo()
print(#a)
for i = 2, 6 do print(debug.upvalueid(a[1], 1) == debug.upvalueid(a[i], 1), debug.upvalueid(a[1], 2) ~= debug.upvalueid(a[i], 2)) end
for i = 3, 5, 2 do
  print(debug.upvalueid(a[i], 2) == debug.upvalueid(a[i - 1], 2), debug.upvalueid(a[i], 2) ~= debug.upvalueid(a[i + 1], 2))
end
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

-- goto: continue, nested loop exit, backward jumps
for i = 1, 5 do
  if i % 2 == 0 then goto continue end
  print("odd", i)
  ::continue::
end
for i = 1, 3 do
  for j = 1, 3 do
    if i * j == 4 then goto done end
    print(i, j)
  end
end
::done::
local n = 0
::again::
n = n + 1
if n < 3 then goto again end
print("n", n)
do
  local k = 0
  ::top::
  k = k + 1
  if k < 5 then goto top end
  print("k", k)
end

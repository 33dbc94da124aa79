-- goto inside while and repeat loops, continue in nested ifs
local i = 0
while i < 6 do
  i = i + 1
  if i == 2 then goto cont end
  if i == 4 then if true then goto cont end end
  print("w", i)
  ::cont::
end
local r = 0
repeat
  r = r + 1
  if r == 2 then goto skip end
  print("r", r)
  ::skip::
until r >= 3

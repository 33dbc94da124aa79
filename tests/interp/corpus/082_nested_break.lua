-- break inside nested loops only leaves the innermost
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then break end
    print(i, j)
  end
end
local n = 0
while true do
  n = n + 1
  repeat if n > 2 then break end until true
  if n > 4 then break end
end
print(n)

-- repeat-until sees locals declared in its body
local i = 0
repeat
  local done = i >= 3
  i = i + 1
until done
print(i)

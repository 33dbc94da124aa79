-- numeric for with float step accumulation
local c = 0
for x = 0, 1, 0.1 do c = c + 1 end
print(c)
for x = 1, 0, -0.25 do print(x) end

-- integer overflow wraps in loops and multiplication
local x = math.maxinteger
x = x + 1
print(x == math.mininteger, x * -1 == x, math.maxinteger * math.maxinteger)
local h = 0
for i = 1, 100 do h = h * 31 + i end
print(h)

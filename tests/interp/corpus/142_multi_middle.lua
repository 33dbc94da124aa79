-- multiple assignment from function calls in the middle
local function two() return 1, 2 end
local a, b, c, d = two(), two()
print(a, b, c, d)
local t = {two(), two(), two()}
print(#t)

-- while loops with compound conditions and closures in conditions
local i, j = 0, 10
while i < j and i ~= 5 do i = i + 1; j = j - 1 end
print(i, j)
local items = {3, 1, 4, 1, 5}
local k = 1
while items[k] and items[k] ~= 4 do k = k + 1 end
print(k)

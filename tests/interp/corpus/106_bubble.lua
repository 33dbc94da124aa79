-- bubble sort implementation
local a = {5, 1, 4, 2, 8, 0}
for i = 1, #a do for j = 1, #a - i do if a[j] > a[j + 1] then a[j], a[j + 1] = a[j + 1], a[j] end end end
print(table.concat(a, " "))

-- table.move within and across tables
local a = {1, 2, 3, 4, 5}
table.move(a, 2, 4, 1); print(table.concat(a, ","))
local b = {1, 2, 3}
table.move(b, 1, 3, 2); print(table.concat(b, ","))
local c = table.move({1, 2, 3}, 1, 3, 1, {})
print(table.concat(c, ","))

-- table.insert and table.remove positions
local t = {}
table.insert(t, "a"); table.insert(t, "b"); table.insert(t, 1, "z"); table.insert(t, 2, "y")
print(table.concat(t, ","), #t)
print(table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.remove({}), #t)
print(pcall(table.insert, t, 10, "x"))
print(pcall(table.insert, t, 1, 2, 3))
local e = {}
print(table.remove(e, 0), table.remove(e, 1))

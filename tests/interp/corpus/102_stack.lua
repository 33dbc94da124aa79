-- stack with table.insert/remove
local st = {}
for _, v in ipairs({"a", "b", "c"}) do table.insert(st, v) end
print(table.remove(st), table.remove(st), #st)

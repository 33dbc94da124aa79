-- table.sort errors: mixed types, nil holes, bad comparator argument, comparator errors, too big
print(pcall(table.sort, {1, "x", 2})); print(pcall(table.sort, {{}, {}})); print(pcall(table.sort, setmetatable({3, nil, 1}, {__len = function() return 3 end})))
print(pcall(table.sort, {3, 2, 1}, 1)); print(pcall(table.sort, {3, 2, 1}, "x")); print(pcall(table.sort)); print(pcall(table.sort, "abc"))
print(pcall(table.sort, {3, 2, 1}, function(a, b) error("cmp failed") end))
print(pcall(table.sort, {3, 2, 1}, function(a, b) return a.x < b end))
print(pcall(table.sort, setmetatable({}, {__len = function() return math.maxinteger end})))
local t = {3, 2, 1} print(pcall(table.sort, t, nil), t[1], t[3])

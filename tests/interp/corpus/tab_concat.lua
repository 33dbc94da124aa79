-- table.concat: separators, ranges, numbers, invalid values, empty ranges, proxies and errors
local t = {1, "two", 3.5, "four", -0.0}
print(table.concat(t), table.concat(t, ", "), table.concat(t, "-", 2, 4), table.concat(t, "x", 3, 2), table.concat(t, "", 5, 5))
print(table.concat({}, ","), table.concat({"a"}, ","), table.concat(t, 1), pcall(table.concat, t, {}), table.concat({1, 2}, "", 1.0, 2.0))
print(pcall(table.concat, {1, {}, 3}), pcall(table.concat, {1, nil, 3}, ",", 1, 3), pcall(table.concat, {true}), pcall(table.concat, t, ",", 1, 10))
print(pcall(table.concat), pcall(table.concat, "x"), pcall(table.concat, t, ",", "a"))
local p = setmetatable({}, {__len = function() return 3 end, __index = function(_, k) return "v" .. k end})
print(table.concat(p, "+"), pcall(table.concat, setmetatable({}, {__index = function() return 1 end})))

-- table.concat: strings and numbers, ranges, separators, and the errors of other values
local t = {"a", "b", 3, 4.5, "c", -0.0, 1e100, math.mininteger}
print(table.concat(t), table.concat(t, ", "), table.concat(t, "-", 2, 4))
print(table.concat({}), table.concat({}, "x"), table.concat({"q"}, "x", 1, 0))
print(table.concat({1, 2, 3}, "", 3), table.concat({1, 2, 3}, "", 2, 3))
print(pcall(table.concat, {"a", {}, "c"}))
print(pcall(table.concat, {"a", nil, "c"}, "", 1, 3))
print(pcall(table.concat, {"a", "b"}, "", 1, 5))
print(pcall(table.concat, {"a", true}))
print(pcall(table.concat, {"a"}, "", 1, 1 << 40))
print(pcall(table.concat, {"a", "b", x = 1, y = 2}, "", 1, 3))
local big = {}
for i = 1, 1000 do big[i] = i % 7 == 0 and i or ("s" .. i) end
local s = table.concat(big, ";")
print(#s, s:sub(1, 30), s:sub(-20))
big[500] = print
print(pcall(table.concat, big))
print(table.concat(setmetatable({}, {__index = function(_, k) return "v" .. k end}), ",", 1, 3))

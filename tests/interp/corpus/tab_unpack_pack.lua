-- table.pack/unpack: n field, nils, ranges, negative ranges, too many results, __index proxies
local p = table.pack(1, nil, 3, nil) print(p.n, p[1], p[2], p[3], p[4], #table.pack(), table.pack().n)
print(table.unpack({1, 2, 3})) print(table.unpack({1, 2, 3}, 2)) print(table.unpack({1, 2, 3}, 2, 5)) print(table.unpack({1, 2, 3}, 3, 1))
print(table.unpack({}, 1, 3)) print(select("#", table.unpack({}, 1, 0))) print(table.unpack({[-1] = "m", [0] = "z"}, -1, 0))
print(pcall(table.unpack, {}, 1, 1e8)) print(pcall(table.unpack, {}, math.mininteger, math.maxinteger))
print(table.unpack(setmetatable({}, {__index = function(_, k) return k * 2 end}), 1, 3))
print(table.unpack(setmetatable({}, {__len = function() return 2 end, __index = function(_, k) return k end})))
print(pcall(table.unpack), pcall(table.unpack, nil, 1, 2), pcall(table.unpack, {}, "a"), table.unpack("abc", 1, 0))

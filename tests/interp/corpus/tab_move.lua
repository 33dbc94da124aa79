-- table.move: overlapping moves both directions, to another table, empty ranges, wrap-around errors, proxies
local function s(t, n) local o = {} for i = 1, n do o[i] = tostring(t[i]) end return table.concat(o, ",") end
local t = {1, 2, 3, 4, 5}
print(s(table.move(t, 1, 3, 2), 6)) t = {1, 2, 3, 4, 5} print(s(table.move(t, 2, 5, 1), 5)) t = {1, 2, 3}
print(s(table.move(t, 1, 3, 1, {}), 3), s(table.move(t, 1, 0, 1), 3), s(table.move(t, 2, 3, 5), 7))
print(pcall(table.move, t, 1, math.maxinteger, 2), pcall(table.move, t, -1, math.maxinteger, 1), pcall(table.move, t, 1, 2, math.maxinteger))
print(pcall(table.move, t, 1, 2), pcall(table.move, 1, 1, 2, 3), pcall(table.move, t, 1, 2, 3, 4), pcall(table.move, t, "a", 2, 3))
local log = {} local src = setmetatable({}, {__index = function(_, k) return k end})
local dst = setmetatable({}, {__newindex = function(_, k, v) log[#log + 1] = k .. "=" .. v end})
table.move(src, 1, 3, 10, dst) print(table.concat(log, " "))

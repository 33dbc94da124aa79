-- table.remove: last, first, middle, empty tables, position n+1, bounds errors and proxies
local t = {1, 2, 3, 4, 5}
print(table.remove(t), table.remove(t, 1), table.remove(t, 2), table.concat(t, ","), #t)
print(table.remove({}), table.remove({}, 0), table.remove({}, 1), pcall(table.remove, {}, 2), pcall(table.remove, {}, -1))
local u = {1, 2, 3} print(table.remove(u, 4), pcall(table.remove, u, 5), pcall(table.remove, u, 0), table.concat(u, ","))
local h = {n = 1, [0] = "zero"} print(table.remove(h, 0), h[0])
print(pcall(table.remove), pcall(table.remove, "x"), pcall(table.remove, {}, "a"))
local log = {}
local p = setmetatable({}, {__len = function() return 3 end, __index = function(_, k) return "v" .. k end,
  __newindex = function(_, k, v) log[#log + 1] = k .. "=" .. tostring(v) end})
print(table.remove(p, 1), table.concat(log, " "))

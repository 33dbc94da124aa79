-- table.insert: appending, inserting at positions, bounds errors, wrong argument counts, __index/__newindex/__len proxies
local t = {} table.insert(t, "a") table.insert(t, 1, "b") table.insert(t, 2, "c") table.insert(t, #t + 1, "d") print(table.concat(t, ","))
print(pcall(table.insert, t, 0, "x"), pcall(table.insert, t, 6, "x"), pcall(table.insert, t, -1, "x"), pcall(table.insert, t, 5, "e"))
print(pcall(table.insert, t), pcall(table.insert, t, 1, 2, 3), pcall(table.insert, nil, 1), pcall(table.insert, t, "x", 1), pcall(table.insert, t, 1.5, 1))
table.insert(t, nil) print(#t) table.insert(t, 1, nil) print(t[1], t[2], #t)
local log = {}
local p = setmetatable({}, {__len = function() return 2 end, __index = function(_, k) log[#log + 1] = "get" .. k return k * 10 end,
  __newindex = function(_, k, v) log[#log + 1] = "set" .. k .. "=" .. tostring(v) end})
table.insert(p, 1, "z") print(table.concat(log, " "))
print(pcall(table.insert, setmetatable({}, {__len = function() return "x" end}), 1))
print(pcall(table.insert, setmetatable({}, {__len = function() return 2.0 end}), 1))

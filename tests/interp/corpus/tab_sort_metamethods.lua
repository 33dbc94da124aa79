-- table.sort: __lt on elements, proxies with __index/__newindex/__len
local mt = {__lt = function(a, b) return a.v < b.v end}
local t = {} for i, v in ipairs{5, 3, 9, 1} do t[i] = setmetatable({v = v}, mt) end
table.sort(t) local o = {} for i = 1, #t do o[i] = t[i].v end print(table.concat(o, " "))
local store = {4, 2, 3, 1}
local p = setmetatable({}, {__len = function() return #store end, __index = function(_, k) return store[k] end,
  __newindex = function(_, k, v) store[k] = v end})
table.sort(p) print(table.concat(store, " "))
print(pcall(table.sort, setmetatable({}, {__index = function() end})))

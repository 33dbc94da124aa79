-- the __len metamethod receives its operand twice, as the other unary events do
local l = setmetatable({}, {__len = function(a, b) return rawequal(a, b) and 7 or -1 end})
print(#l)
local cap
local m = setmetatable({}, {__len = function(...) cap = table.pack(...); return 3 end,
                            __unm = function(...) cap = table.pack(...); return 4 end})
print(#m, cap.n, cap[1] == m, cap[2] == m)
print(-m, cap.n, cap[1] == m, cap[2] == m)

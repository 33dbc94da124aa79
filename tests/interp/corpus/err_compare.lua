-- comparison errors: mixed types, two tables, nil, booleans, __lt/__le fallbacks
local function try(f) print(select(2, pcall(f))) end
try(function() return 1 < "2" end) try(function() return "1" < 2 end) try(function() return {} < {} end) try(function() return nil < 1 end)
try(function() return true > false end) try(function() return {} <= 1 end) try(function() return print < print end) try(function() return 1 >= nil end)
local mt = {__lt = function() return true end} local a, b = setmetatable({}, mt), setmetatable({}, mt)
print(a < b, a > b, pcall(function() return a <= b end), a == b, {} == {})

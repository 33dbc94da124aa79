-- shadowed locals inside closures
local x = "outer"
local function f() local x = "inner"; return function() return x end end
print(f()(), x)

-- numeric for errors: non-number initial value, limit and step, zero step; float loops; generic for over non-functions
local function try(f) print(select(2, pcall(f))) end
try(function() for i = "a", 2 do end end) try(function() for i = 1, {} do end end) try(function() for i = 1, 2, nil do end end)
try(function() for i = 1, 10, 0 do end end) try(function() for i = 1.0, 2, 0.0 do end end) try(function() for k in 5 do end end)
try(function() for k in nil do end end) try(function() for k, v in {} do end end)
for i = 1, 3, 0.5 do io = nil print(i) end for i = 3, 1, -1 do print(i) end for i = math.maxinteger - 1, math.maxinteger do print(i) end
for i = 1, 0 do print("never") end for i = 1.0, 2 do print(i) end for i = "2", 3 do print(i, math.type(i)) end

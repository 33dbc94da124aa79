-- indexing non-tables: nil locals, globals, upvalues, fields, method results, numbers and booleans
local function try(f) print(select(2, pcall(f))) end
local up
try(function() local l; return l.x end) try(function() return g.x end) try(function() return up.x end) try(function() local t = {}; return t.a.b end)
try(function() local t = {}; t.a.b = 1 end) try(function() local n = 5; return n.x end) try(function() local b = true; return b[1] end)
try(function() return (nil).x end) try(function() local f = function() end; return f().x end) try(function() local t = {}; return t[1][2] end)
try(function() up.x = 1 end) try(function() g.y = 2 end) try(function() local l = 1; l.z = 3 end) try(function() return print.x end)

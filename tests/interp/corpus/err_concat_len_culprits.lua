-- concatenation and length of bad values: which operand is named
local function try(f) print(select(2, pcall(f))) end
local up
try(function() local t = {}; return "a" .. t end) try(function() local t = {}; return t .. "a" end) try(function() return "a" .. up end)
try(function() return x .. "y" end) try(function() local t = {}; return t.f .. "" end) try(function() return 1 .. {} end)
try(function() return "a" .. true end) try(function() return "a" .. "b" .. nil end) try(function() local a, b = "x", nil; return a .. b .. "c" end)
try(function() local n; return #n end) try(function() return #up end) try(function() return #5 end) try(function() local t = {}; return #t.x end)

-- calling non-functions: globals, locals, upvalues, fields, methods, constants and results of calls
local function try(f) print(select(2, pcall(f))) end
local up
try(function() nofunc() end) try(function() local l; l() end) try(function() up() end) try(function() local t = {}; t.f() end)
try(function() local t = {}; t:m() end) try(function() local t = {a = {}}; t.a.b() end) try(function() ("x")() end) try(function() (1)() end)
try(function() local f = function() end; f()() end) try(function() local t = {}; t[1]() end) try(function() local t, k = {}, "x"; t[k]() end)
try(function() string.nofunc() end) try(function() (true)() end) try(function() local t = setmetatable({}, {}); t() end)
try(function() local s = "x"; s:nomethod() end) try(function() math.floor.x() end)

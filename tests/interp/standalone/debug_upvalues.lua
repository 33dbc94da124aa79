local a, b, c = 1, 2, 3
local function f() return c + a end
print(debug.getupvalue(f, 1), debug.getupvalue(f, 2), debug.getupvalue(f, 3))
local function g() print(b); return a end
print(debug.getupvalue(g, 1), debug.getupvalue(g, 2), debug.getupvalue(g, 3))
print(debug.setupvalue(f, 2, 10), a, f())
print(debug.upvalueid(f, 2) == debug.upvalueid(g, 3), debug.upvalueid(f, 1) == debug.upvalueid(g, 3))
print(debug.upvalueid(f, 5), debug.getupvalue(print, 1))
print(pcall(debug.getupvalue, 1, 1))
local t = {}
t[debug.upvalueid(f, 2)] = 1
print(t[debug.upvalueid(g, 3)])
local function h() local x = 1; return function() x = x + 1; return function() return x, a end end end
local i2 = h()()
print(debug.getupvalue(i2, 1), debug.getupvalue(i2, 2))
print(type(debug.upvalueid(f, 1)))

-- table constructors, length, nested tables
local t = {1, 2, 3, [10] = "ten", x = "ex", ["y z"] = 5, [1.5] = "f"}
print(#t, t[10], t.x, t["y z"], t[1.5])
local n = {a = {b = {c = "deep"}}}
print(n.a.b.c)
local s = {"x", "y"; "z"}
print(#s, s[3])
local e = {}
e[#e + 1] = "a"; e[#e + 1] = "b"
print(#e, e[2])
e[#e] = nil
print(#e)
local holes = {}
holes[1] = 1; holes[2] = 2; holes[4] = 4
print(#holes == 2 or #holes == 4)
print(next({}), type(next({5})))

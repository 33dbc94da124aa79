-- varargs: select, table.pack, ... in the middle and at the end
local function f(...) return select("#", ...), ... end
print(f())
print(f(1, nil, 3))
local function g(...) local a, b = ...; return a, b end
print(g(1), g(1, 2, 3))
local function h(...) return {...}, table.pack(...).n end
local t, n = h(1, 2, nil)
print(#t >= 2, n)
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
local function mid(...) return ..., "end" end
print(mid(1, 2))
print((f(1, 2, 3)))
print(pcall(select, 0))

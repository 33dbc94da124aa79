-- table.sort with comparators: descending, by field, stable-looking keys, and how often it is called
local function show(t) local o = {} for i = 1, #t do o[i] = tostring(t[i]) end return table.concat(o, " ") end
local t = {5, 2, 8, 1, 9, 3} table.sort(t, function(a, b) return a > b end) print(show(t))
local people = {{n = "bob", a = 30}, {n = "al", a = 25}, {n = "cy", a = 35}, {n = "di", a = 25}}
table.sort(people, function(x, y) if x.a ~= y.a then return x.a < y.a end return x.n < y.n end)
for _, p in ipairs(people) do io = nil print(p.n, p.a) end
local calls = 0 local u = {} for i = 1, 50 do u[i] = (i * 37) % 50 end
table.sort(u, function(a, b) calls = calls + 1 return a < b end) print(calls, show(u))
local w = {"banana", "Apple", "cherry", "apple"} table.sort(w, function(a, b) return a:lower() < b:lower() end) print(show(w))

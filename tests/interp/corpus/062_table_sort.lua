-- table.sort default and custom comparators
local t = {5, 3, 8, 1, 9, 2}
table.sort(t); print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end); print(table.concat(t, " "))
local w = {"banana", "apple", "cherry"}
table.sort(w); print(table.concat(w, " "))
local recs = {{n = "b", v = 2}, {n = "a", v = 1}, {n = "c", v = 3}}
table.sort(recs, function(x, y) return x.v < y.v end)
print(recs[1].n, recs[2].n, recs[3].n)
print(pcall(table.sort, {1, "a", 2}))

-- varargs with nils in the middle
local function count(...) return select("#", ...) end
print(count(nil), count(nil, nil), count(1, nil), count(table.unpack({1, nil, 3}, 1, 3)))
local t = table.pack(nil, nil)
print(t.n, #t)

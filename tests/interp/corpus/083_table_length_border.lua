-- length of sequences built in different ways
local t = {}
for i = 1, 100 do t[i] = i end
print(#t)
for i = 100, 51, -1 do t[i] = nil end
print(#t)
local u = {n = 1, 10, 20, 30}
print(#u)
print(#"", #{}, #{nil}, #{1, 2, 3, nil})

-- next/pairs, clearing fields during traversal
local t = {}
for i = 1, 10 do t[i] = i end
for k, v in pairs(t) do if k % 2 == 0 then t[k] = nil end end
local c = 0
for k in pairs(t) do c = c + 1 end
print(c)
local k, v = next(t)
print(k, v)
print(next(t, 9))
print(pcall(next, t, "nokey"))
print(rawlen({1, 2}), rawlen("abc"), rawequal("a", "a"))

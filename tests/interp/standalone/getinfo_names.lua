function F() local i = debug.getinfo(1, "n") return i.name, i.namewhat end
local function g() local i = debug.getinfo(1, "n") return i.name, i.namewhat end
local t = {m = function(self) local i = debug.getinfo(1, "n") return i.name, i.namewhat end}
t.f = t.m
print(F())
print(g())
print(t:m())
print(t.f())
print(pcall(F))
local function h() return F() end
print(h())
for i = 1, 2 do print(F()) end

-- tables are references; equality is identity
local a = {1}
local b = a
b[1] = 99
print(a[1], a == b, {} == {})
local function modify(t) t.x = "changed" end
modify(a)
print(a.x)

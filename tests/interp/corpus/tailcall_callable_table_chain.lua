-- a tail call to a table with __call (and chains of __call values) runs in constant stack
local n = 10000
local function foo ()
  if n == 0 then return 1023
  else n = n - 1; return foo()
  end
end
for i = 1, 100 do foo = setmetatable({}, {__call = foo}) end
print(foo())
n = 10000
local u = table.pack
for i = 1, 20 do u = setmetatable({i}, {__call = u}) end
local r = u("a", "b")
print(r.n, r[1][1], r[20][1], r[21], r[22])
local t = {}
local function f() return t() end
print(pcall(f))
local v = setmetatable({}, {__call = 3})
local function g() return v(1) end
print(pcall(g))
local w = setmetatable({}, {__call = setmetatable({}, {})})
local function h() return w(1) end
print(pcall(h))

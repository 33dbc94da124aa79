local f = load(string.dump(function () return 1 end), nil, "b", {})
print(type(f), f())
local x = string.dump(load("x = 1; return x"))
local a = assert(load(x, nil, "b"))
print(a(), _G.x)
print(load(x, nil, "t"))
print(pcall(string.dump, print))
local xx; XX = 123
local function h () local y = xx; return XX end
local d = string.dump(h)
local g = load(d, "", "b")
print(debug.getupvalue(g, 2))
debug.setupvalue(g, 2, _G)
print(g())
local aa, bb = 20, 30
local k = load(string.dump(function (x)
  if x == "set" then aa = 10+bb; bb = bb+1 else
  return aa
  end
end), "", "b", nil)
print(k(), debug.setupvalue(k, 1, "hi"), k(), debug.setupvalue(k, 2, 13), debug.setupvalue(k, 3, 10))
k("set"); print(k()); k("set"); print(k())
local c = string.dump(function () local a = 1; local b = 3; local f = function () return a + b + _ENV.c end; return a + b * 3 end)
print(assert(load(c))())
local header = string.pack("c4BBc6BBB", "\27Lua", 0x54, 0, "\x19\x93\r\n\x1a\n", 4, string.packsize("j"), string.packsize("n"))
print(string.sub(c, 1, #header) == header, string.unpack("jn", c, #header + 1))
local bad = 0
for i = 1, #header do
  local s = string.sub(c, 1, i - 1) .. string.char(string.byte(string.sub(c, i, i)) + 1) .. string.sub(c, i + 1, -1)
  if load(s) then bad = bad + 1 end
end
local trunc = 0
for i = 1, #c - 1 do
  local st, msg = load(string.sub(c, 1, i))
  if st or not string.find(msg, "truncated") then trunc = trunc + 1 end
end
print(bad, trunc)
local t = {}
function t:m(a) return self, a end
local m2 = load(string.dump(t.m))
print(select(2, m2(1, 2)))

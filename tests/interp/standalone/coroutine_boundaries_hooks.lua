-- yields cross pcall, metamethods and iterators, but not other library functions
local co = coroutine.wrap(function()
  print(pcall(table.sort, {1, 2, 3}, coroutine.yield))
  print(coroutine.isyieldable())
  print(string.gsub("ab", ".", function(c) return tostring(coroutine.isyieldable()) end))
  print(pcall(string.gsub, "a", ".", function() coroutine.yield(1) end))
  coroutine.yield(20)
  return 30
end)
print(co(), co())
-- too many coroutines resuming one another
local a = function(a) coroutine.wrap(a)(a) end
local ok, msg = pcall(a, a)
print(ok, (string.gsub(msg, "^.*: ", "")))
-- the hook of a coroutine
local c2 = coroutine.create(function ()
  coroutine.yield(10)
  return 20
end)
local trace = {}
debug.sethook(c2, function(event, line) trace[#trace + 1] = event .. (line and ":" .. line or "") end, "clr")
repeat until not coroutine.resume(c2)
print(table.concat(trace, " "))
print(debug.gethook())
-- a __close run for an error is called by the protected call that caught it
local function func2close(f) return setmetatable({}, {__close = f}) end
local X, Y
local function foo()
  local x <close> = func2close(function(self, err) Y = debug.getinfo(2); X = err end)
  error(43)
end
local c3 = coroutine.create(function() return pcall(foo) end)
print(coroutine.resume(c3))
print(X, Y.what)
-- count and line hooks on the main thread
local lines, counts = {}, 0
debug.sethook(function(ev, l) if ev == "line" then lines[#lines + 1] = l else counts = counts + 1 end end, "l", 1)
local s = 0
for i = 1, 3 do
  s = s + i
end
debug.sethook()
print(#lines > 0, counts > 0, debug.gethook())
-- __pairs may yield (pairs calls it with a continuation)
local pt = setmetatable({10, 20, 30}, {__pairs = function(t)
  local inc = coroutine.yield()
  return function(t, i) if i > 1 then return i - inc, t[i - inc] end end, t, #t + 1
end})
local res = {}
local pc = coroutine.wrap(function() for i, p in pairs(pt) do res[#res + 1] = p end end)
pc(); pc(1)
print(table.concat(res, " "))

-- a tail-called function replaces its caller: error levels, getinfo levels and names, hooks
local function e2() error("level two", 2) end
local function t2() return e2() end
print(pcall(function() local r = t2(); return r end))
local function lines(n)
  if n == 0 then
    local a = {}
    for l = 1, 10 do
      local i = debug.getinfo(l, "nSl")
      if not i then break end
      a[#a + 1] = tostring(i.currentline) .. ":" .. tostring(i.name) .. ":" .. i.namewhat
    end
    return table.concat(a, " ")
  end
  return lines(n - 1)
end
local function top() local v = lines(5); return v end
print(top())
local ev = {}
local function g(x) return x + 1 end
local function f(x) return g(x) end
debug.sethook(function(e)
  local i = debug.getinfo(2, "S")
  if i.what == "Lua" then ev[#ev + 1] = e .. ":" .. i.linedefined end
end, "cr")
local r = f(1)
debug.sethook()
print(r, table.concat(ev, " "))
-- deep tail recursion, and errors coming back through tail calls
local function z(n) if n == 0 then local x = nil; return x.y end return z(n - 1) end
print(pcall(z, 1000))
local function count(n, acc) if n == 0 then return acc end return count(n - 1, acc + 1) end
print(count(100000, 0))
local obj = {n = 0}
function obj:step(k) if k == 0 then return self.n end self.n = self.n + 1 return self:step(k - 1) end
print(obj:step(5000))
local function va(...) return select("#", ...), ... end
local function tv(...) return va(1, ...) end
print(tv(2, nil, 4))
local co = coroutine.wrap(function(n) local function y(k) if k == 0 then return coroutine.yield("y") end return y(k - 1) end return y(n) end)
print(co(60), co("done"))

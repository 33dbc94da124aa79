-- the fourth value of a generic for is closed when the loop ends, however it ends
local log = {}
local function closer(name)
  return setmetatable({}, {__close = function(_, err) log[#log + 1] = name end})
end
local function iter(n, name)
  local i = 0
  return function() i = i + 1; if i <= n then return i end end, nil, nil, closer(name)
end
for i in iter(2, "end") do end
for i in iter(5, "break") do if i == 2 then break end end
local function f() for i in iter(5, "return") do if i == 3 then return i end end end
print(f())
print(pcall(function() for i in iter(5, "error") do error("boom") end end))
print(pcall(function() for i in function() error("in iterator") end, nil, nil, closer("iter") do end end))
print(table.concat(log, " "))
print(pcall(function() for i in function() end, nil, nil, 42 do end end))
for k in (function() return nil end), nil, nil, false do end
print("ok")
-- a return call inside a generic for is not a tail call: it runs before the closing
local closed = false
local function foo() return function() return true end, 0, 0, setmetatable({}, {__close = function() closed = true end}) end
local function tail() return closed end
local function foo1() for k in foo() do return tail() end end
print(foo1(), closed)

-- debug.getlocal: the active locals of a level in declaration order, varargs, parameters of a
-- function value
local function locals_of(level)
  local out = {}
  local i = 1
  while true do
    local name, value = debug.getlocal(level + 1, i)
    if not name or name:sub(1, 1) == "(" and name ~= "(for state)" then break end
    if name == "(for state)" then
      out[#out + 1] = "(for state)"
    elseif type(value) == "table" or type(value) == "function" then
      out[#out + 1] = name .. ":" .. type(value)
    else
      out[#out + 1] = name .. "=" .. tostring(value)
    end
    i = i + 1
  end
  return table.concat(out, " ")
end

local function show(tag)
  local s = locals_of(2)
  print(tag, s)
end

local function f(a, b)
  show("entry")
  local x = a + b
  show("x")
  do
    local y = x * 2
    show("do")
    do
      local z = y + 1
      show("inner do")
    end
    show("after inner")
  end
  show("after do")
  if x > 0 then
    local pos = true
    show("then")
  else
    local neg = true
    show("else")
  end
  show("after if")
  return x
end
f(1, 2)

-- loops: the loop variables and the hidden for state, gone after the loop
local function loops()
  for i = 1, 2 do
    local sq = i * i
    show("numfor")
  end
  for k, v in ipairs({"p", "q"}) do
    show("genfor")
  end
  local n = 0
  while n < 2 do
    local m = n
    n = n + 1
    show("while")
  end
  repeat
    local r = n
    n = n - 1
  until locals_of(1) == "" or r <= 1
  show("after loops")
end
loops()

-- closures made in a loop: fresh locals per iteration
local function fresh()
  local fs = {}
  for i = 1, 2 do
    local c = i * 10
    fs[i] = function() return c end
    show("fresh")
  end
  show("after fresh")
  return fs
end
fresh()

-- goto back to a label: a local declared after it is out of scope again
do
  local count = 0
  ::again::
  count = count + 1
  show("label")
  local after = count
  show("after label")
  if count < 2 then goto again end
end

-- levels: 1 is the caller of getlocal, 2 its caller...
local function level3()
  local l3 = 3
  local name1 = debug.getlocal(1, 1)
  local name2, v2 = debug.getlocal(2, 1)
  local name3, v3 = debug.getlocal(3, 1)
  print("levels", name1, name2, v2, name3, v3)
  print("getinfo agrees", debug.getinfo(2, "n").name, debug.getinfo(3, "n").name)
end
local function level2()
  local l2 = 2
  level3()
end
local function level1()
  local l1 = 1
  level2()
end
level1()
local ok, lname, lvalue = pcall(debug.getlocal, 2, 1)  -- level 1 is pcall
print("through pcall", ok, lname, type(lvalue))
print(select("#", debug.getlocal(1, 0)), debug.getlocal(1, 0))
print(pcall(debug.getlocal, 1000, 1))
print(pcall(debug.getlocal, 1))
print(pcall(debug.getlocal, "x", 1))

-- varargs: negative indices
local function va(first, ...)
  local l = "local"
  print("va", debug.getlocal(1, 1), debug.getlocal(1, 2))
  print("va -1", debug.getlocal(1, -1))
  print("va -2", debug.getlocal(1, -2))
  print("va -3", debug.getlocal(1, -3))
  print("va -4", debug.getlocal(1, -4))
end
va(1, "two", nil, 4)
va(1)
local function notva(a)
  print("not vararg", debug.getlocal(1, -1))
end
notva(1)

-- function values: only the names of their parameters
local function params(alpha, beta, ...)
  local gamma = 1
end
print("params", debug.getlocal(params, 1), debug.getlocal(params, 2), debug.getlocal(params, 3))
print("no params", debug.getlocal(function() local q = 1 end, 1))
print("method", debug.getlocal(function(self, other) end, 1))
print("library", debug.getlocal(print, 1), debug.getlocal(string.format, 1))
print("count", select("#", debug.getlocal(params, 1)))

-- compile-time constants are not locals; other attributes are
local function attribs()
  local k <const> = 42
  local s <const> = "str"
  local t <const> = {}
  local c <close> = nil
  show("attribs")
end
attribs()

-- a function the compiler specialises for integer arguments
local function fact(n)
  if n <= 1 then
    show("fact base")
    return 1
  end
  local rest = fact(n - 1)
  return n * rest
end
fact(3)
fact(2.0)

-- the main chunk
local last = "main"
show("main")

-- inside a hook, level 2 is the hooked function
local function traced(p, q)
  local r = p + q
  return r
end
debug.sethook(function(ev)
  if debug.getinfo(2, "n").name == "traced" then
    print("hook", ev, debug.getlocal(2, 1))
    print("hook", ev, debug.getlocal(2, 2))
  end
end, "cr")
traced(5, 6)
debug.sethook()

-- a suspended coroutine: level 1 is the function that yielded
local co = coroutine.create(function(a)
  local b = a * 2
  coroutine.yield(b)
  return b
end)
coroutine.resume(co, 4)
print("co", debug.getlocal(co, 1, 1))
print("co", debug.getlocal(co, 1, 2))
print("co", debug.getlocal(co, 1, 3) == nil or debug.getlocal(co, 1, 3):sub(1, 1) == "(")
print("co", pcall(debug.getlocal, co, 5, 1))

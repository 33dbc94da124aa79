-- debug.setlocal: assigning a local of a level, seen afterwards by its function
local function set_named(level, name, value)
  -- the last active local of that name: the innermost
  local i, found = 1, nil
  while true do
    local n = debug.getlocal(level + 1, i)
    if n == nil then break end
    if n == name then found = i end
    i = i + 1
  end
  return found and debug.setlocal(level + 1, found, value)
end

-- a plain local, at level 1 and from a callee (level 2)
local function plain()
  local a = 1
  local b = "two"
  print("set a", debug.setlocal(1, 1, 10))
  print("a is", a)
  set_named(1, "b", "changed")
  print("b is", b)
  local c = {}
  set_named(1, "c", false)
  print("c is", c)
  print("out of range index", debug.setlocal(1, 10, 0))
  print("index 0", debug.setlocal(1, 0, 0))
end
plain()

-- a parameter, from two levels up
local function deeper(level)
  set_named(level + 1, "p", "from below")
end
local function param(p)
  deeper(1)
  return p
end
print("param is", param("original"))

-- a local captured as an upvalue: the closure sees the new value, and the function sees what
-- the closure assigns
local function captured()
  local count = 0
  local function inc() count = count + 1 return count end
  inc()
  print("setlocal count", set_named(1, "count", 100))
  print("count is", count, "inc gives", inc())
  local function peek() return count end
  set_named(1, "count", 7)
  print("peek sees", peek())
end
captured()

-- an upvalue shared by two closures, set from inside one of them (level 2 is the owner)
local function owner()
  local shared = "s0"
  local get = function() return shared end
  local function setter() set_named(2, "shared", "s1") end
  setter()
  print("shared", shared, get())
end
owner()

-- a loop variable and locals in a loop, fresh per iteration when closures capture them
local function in_loops()
  local fs = {}
  for i = 1, 3 do
    local v = i
    if i == 2 then set_named(1, "v", 20) end
    fs[#fs + 1] = function() return v end
  end
  print("closures", fs[1](), fs[2](), fs[3]())
  local total = 0
  for i = 1, 3 do
    local w = i
    if i == 2 then set_named(1, "w", 200) end
    total = total + w
  end
  print("total", total)
  local s = {}
  for _, name in ipairs({"x", "y"}) do
    set_named(1, "name", name .. "!")
    s[#s + 1] = name
  end
  print("names", table.concat(s, " "))
end
in_loops()

-- nested blocks: the innermost active local of that name
local function blocks()
  local x = "outer"
  do
    local x = "inner"
    set_named(1, "x", "inner set")
    print("inner x", x)
  end
  print("outer x", x)
end
blocks()

-- varargs
local function va(...)
  print("set vararg", debug.setlocal(1, -2, "B"))
  print("past the varargs", debug.setlocal(1, -4, "D"))
  print("varargs", ...)
  print("select", select("#", ...))
end
va("a", "b", "c")

-- the main chunk's locals
local main_local = 1
debug.setlocal(1, 3, 5)
print("main", debug.getlocal(1, 3))

-- a suspended coroutine's local
local co = coroutine.create(function()
  local state = "before"
  coroutine.yield()
  return state
end)
coroutine.resume(co)
print("co set", debug.setlocal(co, 1, 1, "after"))
print("co", coroutine.resume(co))

-- errors
print(pcall(debug.setlocal, 100, 1, 0))
print(pcall(debug.setlocal, 1, 1))
print(pcall(debug.setlocal, 1))
print(pcall(debug.setlocal))

-- return hooks: sethook's own return, and a __close metamethod named as one
local function hook (event)
  local t = debug.getinfo(2)
  print(event, t.name, t.namewhat, t.what, t.currentline)
end
local function g() debug.sethook(hook, "r") end
g()
debug.sethook()
local x <close> = setmetatable({}, {__close = function() print("x") end})
local function func2close (f, x, y)
  local obj = setmetatable({}, {__close = f})
  if x then return x, obj, y else return obj end
end
do   -- '__close' vs. return hooks in Lua functions
  local trace = {}
  local function hook (event)
    trace[#trace + 1] = event .. " " .. tostring(debug.getinfo(2).name)
  end
  local function foo (...)
    local x <close> = func2close(function (_,msg)
      trace[#trace + 1] = "x"
    end)
    local y <close> = func2close(function (_,msg)
      debug.sethook(hook, "r")
    end)
    return ...
  end
  local t = {foo(10,20,30)}
  debug.sethook()
  print(table.concat(t, " "))
  print(table.concat(trace, ", "))
end
local u = setmetatable({}, {__index = function(t, k) local i = debug.getinfo(1, "n"); return i.namewhat .. " " .. i.name end})
print(u.x)
local function nocl()
  local y <close> = setmetatable({}, {__close = print})
  getmetatable(y).__close = nil
end
print(select(2, pcall(nocl)):gsub("^.-:%d+: ", ""))

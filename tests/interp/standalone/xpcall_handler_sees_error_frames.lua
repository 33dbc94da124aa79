-- xpcall's message handler runs on top of the frames of the error it handles
local function fails() error("boom") end
local ok, tb = xpcall(fails, debug.traceback)
print(ok, string.find(tb, "in function 'error'") ~= nil, string.find(tb, "in function 'xpcall'") ~= nil)

-- an error in a to-be-closed variable of a vararg function
local function closing(...)
  local x <close> = setmetatable({}, {__close = function() error("@x") end})
end
ok, tb = xpcall(closing, debug.traceback)
print(ok, string.match(tb, "^[^ ]* @x") ~= nil, string.find(tb, "in metamethod 'close'") ~= nil)

-- the handler can see the failed function's level with debug.getinfo
local function where()
  local ok, line = xpcall(function() local y = nil; return y.z end,
                          function(m) return debug.getinfo(2, "l").currentline end)
  return line
end
print(where())

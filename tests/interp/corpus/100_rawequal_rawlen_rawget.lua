-- raw functions bypass metamethods
local t = setmetatable({}, {__index = function() return "meta" end, __newindex = function() error("blocked") end,
  __len = function() return 99 end, __eq = function() return true end})
rawset(t, "k", "raw")
print(t.k, t.other, rawget(t, "other"), #t, rawlen(t), rawequal(t, setmetatable({}, getmetatable(t))))
print(pcall(function() t.new = 1 end))
print(pcall(rawset, 1, 2, 3))

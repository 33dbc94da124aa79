-- errors raised inside metamethods and by bad metamethod results
local function try(f) print(select(2, pcall(f))) end
local t = setmetatable({}, {__index = function(_, k) error("no field " .. k) end, __add = function() error("no add", 2) end,
  __call = function() error({}) end, __concat = function(a, b) return nil .. a end, __len = function() error("len!", 0) end})
try(function() return t.foo end) try(function() return t + 1 end) try(function() return type(select(2, pcall(t))) end) try(function() return t .. "x" end)
try(function() return #t end) try(function() return tostring(setmetatable({}, {__tostring = function() return 5 end})) end)
try(function() return setmetatable({}, {__index = "abc"}).len == string.len end) try(function() local p = setmetatable({}, {__newindex = 5}); p.x = 1 end)
try(function() local c = setmetatable({}, {__call = "s"}); c() end) try(function() return -setmetatable({}, {__unm = function() return "neg" end}) .. "!" end)

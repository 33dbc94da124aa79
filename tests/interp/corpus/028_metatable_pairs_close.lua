-- __pairs, __close and to-be-closed variables
local t = setmetatable({}, {__pairs = function(t) local i = 0; return function() i = i + 1; if i <= 3 then return i, i * i end end, t, nil end})
for k, v in pairs(t) do print(k, v) end
do
  local a <close> = setmetatable({}, {__close = function(o, e) print("closing a", e) end})
  local b <close> = setmetatable({}, {__close = function(o, e) print("closing b", e) end})
  print("in block")
end
local ok, err = pcall(function()
  local c <close> = setmetatable({}, {__close = function(o, e) print("closing c", e) end})
  error("boom")
end)
print(ok, err)
local function f()
  local d <close> = setmetatable({}, {__close = function() print("closing d") end})
  return "ret"
end
print(f())
print(pcall(function() local x <close> = 42 end))
local k <const> = 10
print(k)

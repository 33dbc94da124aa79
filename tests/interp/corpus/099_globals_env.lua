-- _ENV redirection with a local _ENV
local print = print
do
  local _ENV = {x = 5}
  y = x * 2
  print(x, y)
end
print(x, y)
local function sandbox()
  local _ENV = setmetatable({}, {__index = _G})
  z = 1
  return z, _G.z
end
print(sandbox())

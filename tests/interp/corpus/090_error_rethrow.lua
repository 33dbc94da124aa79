-- catching and rethrowing errors, error objects with tostring
local E = setmetatable({msg = "custom"}, {__tostring = function(e) return "E(" .. e.msg .. ")" end})
local ok, e = pcall(error, E)
print(ok, tostring(e), e == E)
local ok2, e2 = pcall(function()
  local ok3, e3 = pcall(error, "first")
  error(e3 .. " then second", 0)
end)
print(ok2, e2)

-- runtime error positions on different lines
local function f()
  local t = nil
  return t[1]
end
print(pcall(f))
print(pcall(function()
  return 1 +
    nil
end))

local t = {}
local ok, e = pcall(function()
  local x = 1 +
    t.nofunc(
      2)
end)
print(e)
print(pcall(function() return 1,
  nofunc2()
end))
local function f(...) return select('#', ...) end
print(f(1,
  f(2,
    f(3))))
print(string.format("%d %s",
  3, tostring(
  nil)))

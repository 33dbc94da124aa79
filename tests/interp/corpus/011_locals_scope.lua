-- local scoping, shadowing and blocks
local x = 1
do
  local x = x + 1
  print(x)
  do local x = x * 10; print(x) end
  print(x)
end
print(x)
local a, b, c = 1, 2
print(a, b, c)
local d, e = (function() return 1, 2, 3 end)()
print(d, e)

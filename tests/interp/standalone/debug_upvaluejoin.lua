do
  local a, b, c = 3, 5, 7
  foo1 = function () return a+b end
  foo2 = function () return b+a end
  do
    local a = 10
    foo3 = function () return a+b end
  end
end
print(debug.upvalueid(foo1, 1) == debug.upvalueid(foo2, 2), debug.upvalueid(foo1, 1) ~= debug.upvalueid(foo3, 1))
print(debug.upvalueid(string.gmatch("x", "x"), 1) ~= nil)
print(foo1(), foo2(), foo3())
debug.upvaluejoin(foo1, 2, foo2, 2)
print(foo1(), foo2(), foo3())
debug.upvaluejoin(foo3, 2, foo2, 1)
print(foo3())
debug.upvaluejoin(foo3, 2, foo2, 2)
print(foo3())
print(pcall(debug.upvaluejoin, foo1, 3, foo2, 1))
print(pcall(debug.upvaluejoin, foo1, 1, foo2, 3))
print(pcall(debug.upvaluejoin, foo1, 0, foo2, 1))
print(pcall(debug.upvaluejoin, print, 1, foo2, 1))
print(pcall(debug.upvaluejoin, {}, 1, foo2, 1))
print(pcall(debug.upvaluejoin, foo1, 1, print, 1))

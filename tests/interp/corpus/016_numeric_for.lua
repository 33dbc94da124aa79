-- numeric for: steps, float loops, negative, empty, limits
for i = 1, 3 do io_x = i end print(io_x)
for i = 10, 1, -3 do print(i) end
for i = 1, 0 do print("never") end
for i = 1.0, 2.0, 0.5 do print(i) end
for i = math.maxinteger - 2, math.maxinteger do print(i) end
for i = 1, 3.7 do print(i) end
print(pcall(function() for i = 1, 10, 0 do end end))
print(pcall(function() for i = "a", 2 do end end))
local sum = 0
for i = 1, 100 do sum = sum + i end
print(sum)

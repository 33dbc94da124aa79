-- numeric for with infinite and huge limits: clipped as Lua does, no overflow
local n = 0
for i = 1, math.huge do n = n + 1 if n == 3 then break end end
print(n)
for i = 1, -math.huge do print("never") end
local out = {} for i = 3, -math.huge, -1 do if i < 1 then break end out[#out + 1] = i end print(table.concat(out, " "))
for i = -1, math.huge, -1 do print("never") end
n = 0 for i = math.mininteger, math.maxinteger, 1 << 60 do n = n + 1 end print(n)
n = 0 for i = math.maxinteger, math.mininteger, -(1 << 58) do n = n + 1 end print(n)
n = 0 for i = math.mininteger, math.mininteger + 2500 do n = n + 1 end print(n)
out = {} for i = math.maxinteger - 2, math.huge do out[#out + 1] = i end print(table.concat(out, " "))
out = {} for i = math.mininteger + 2, -math.huge, -1 do out[#out + 1] = i end print(table.concat(out, " "))
n = 0 for i = 1, 1e300 do n = n + 1 if n > 2 then break end end print(n)
n = 0 for i = 1, 2500, 7 do n = n + i end print(n)
n = 0 for i = 2500, 1, -3 do n = n + i end print(n)

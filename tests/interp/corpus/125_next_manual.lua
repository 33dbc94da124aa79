-- next-based manual iteration
local t = {x = 1}
local k, v = next(t)
print(k, v, next(t, k))
local count = 0
local key = nil
repeat key = next({1, 2, 3}, key); if key then count = count + 1 end until key == nil
print(count)

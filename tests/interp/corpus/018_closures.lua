-- closures share upvalues; fresh locals per loop iteration
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc(); inc()
print(get())
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local acc = {}
local j = 1
while j <= 3 do local k = j; acc[j] = function() return k end; j = j + 1 end
print(acc[1](), acc[2](), acc[3]())
local shared = {}
for i = 1, 2 do
  local v = i * 10
  shared[i] = {get = function() return v end, set = function(x) v = x end}
end
shared[1].set(99)
print(shared[1].get(), shared[2].get())

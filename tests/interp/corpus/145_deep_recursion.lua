-- deep recursion that still fits
local function sum(n) if n == 0 then return 0 end return n + sum(n - 1) end
print(sum(5000))

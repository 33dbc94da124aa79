-- deep non-tail recursion is a catchable "stack overflow"
local function rec(n) return 1 + rec(n + 1) end
local ok, err = pcall(rec, 1)
print(ok, string.find(err, "stack overflow") ~= nil)
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(10000))

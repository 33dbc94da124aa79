-- pairs over mixed tables counts every entry
local t = {10, 20, 30, a = 1, b = 2, [100] = 3}
local n, sum = 0, 0
for k, v in pairs(t) do n = n + 1; sum = sum + v end
print(n, sum)

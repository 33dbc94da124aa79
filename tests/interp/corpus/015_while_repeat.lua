-- while and repeat loops, repeat scope of until
local i = 0
while i < 5 do i = i + 1 end
print(i)
local n = 0
repeat local k = n; n = n + 1 until k >= 3
print(n)
local s = 0
while true do s = s + 1; if s > 10 then break end end
print(s)

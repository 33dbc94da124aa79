-- while loop closures capture fresh locals
local fs, i = {}, 0
while i < 3 do i = i + 1; local j = i * 2; fs[i] = function() return j end end
print(fs[1](), fs[2](), fs[3]())

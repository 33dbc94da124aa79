-- closures capturing loop variables of generic for
local fs = {}
for k, v in ipairs({"a", "b", "c"}) do fs[#fs + 1] = function() return k .. v end end
print(fs[1](), fs[2](), fs[3]())

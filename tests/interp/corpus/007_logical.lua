-- and/or/not truthiness: only nil and false are false
print(nil and 1, false and 1, 0 and 1, "" and 2, 1 and nil)
print(nil or "d", false or nil, 0 or 1, "x" or error("no"))
print(not nil, not false, not 0, not "")
local x = nil
local y = x and x.field or "default"
print(y)
print(1 and 2 or 3, nil and 2 or 3, false or false and 1)

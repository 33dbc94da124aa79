-- integer vs float keys in table constructors
local t = {[1] = "a", [2.0] = "b", [3] = "c"}
print(#t, t[2], math.type(next({[2.0] = true})))

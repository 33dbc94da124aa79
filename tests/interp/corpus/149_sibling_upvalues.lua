-- upvalues shared between sibling closures after loop
local get, set
do local v = 0; get = function() return v end; set = function(n) v = n end end
set(42)
print(get())

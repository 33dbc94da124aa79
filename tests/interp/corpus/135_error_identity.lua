-- error objects that are tables keep identity
local errobj = {}
local ok, e = pcall(function() error(errobj) end)
print(ok, e == errobj)

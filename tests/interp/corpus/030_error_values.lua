-- error with any value, levels and positions
print(pcall(error, "plain"))
print(pcall(error, "nolevel", 0))
print(pcall(function() error("lvl1") end))
print(pcall(function() error("lvl2", 2) end))
local function thrower() error("from thrower", 2) end
print(pcall(function() thrower() end))
local ok, e = pcall(error, {code = 42})
print(ok, type(e), e.code)
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, 12))
print(select("#", pcall(error)))

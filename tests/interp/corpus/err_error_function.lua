-- error(): levels 0/1/2/3, non-string values, nil, rethrowing, positions from nested functions
local function lvl(n) error("at level " .. n, n) end
local function mid(n) lvl(n) end
for n = 0, 4 do print(pcall(mid, n)) end
print(pcall(error)) print(pcall(error, nil)) print(pcall(error, 42)) print(pcall(error, 4.5, 2)) print(pcall(error, true))
local t = {} print(select(2, pcall(error, t)) == t) print(pcall(error, "x", "2")) print(pcall(error, "x", 1.5))
local ok, e = pcall(function() local ok2, e2 = pcall(error, "inner") error(e2, 0) end) print(ok, e)
print(select(2, pcall(function() error(setmetatable({}, {__tostring = function() return "obj" end})) end)) ~= nil)

-- load with a reader function
local parts = {"return ", "'joined'", " .. '!'"}
local i = 0
local f = load(function() i = i + 1; return parts[i] end)
print(f())
print(type(load(function() return nil end)))

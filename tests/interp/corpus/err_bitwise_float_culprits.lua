-- bitwise operations on floats without an integer value: metamethods first, then the culprit named
local x, y = 1.5, 2
print(pcall(function() return x & y end), pcall(function() return y | x end), pcall(function() return 1 ~ 2.5 end), pcall(function() return 2^63 << 1 end))
local t = {f = 0.5} print(pcall(function() return t.f & 1 end), pcall(function() return ~x end))
local m = setmetatable({}, {__band = function(a, b) return "mm" end}) print(1.5 & m, m & 2.5)
print(pcall(function() local z = 3.5; return z >> 1 end))

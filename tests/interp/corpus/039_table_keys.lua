-- key normalisation: floats, booleans, tables, functions as keys
local t = {}
t[1] = "int"; t[1.0] = "float one"
t[true] = "T"; t[false] = "F"
local k = {}
t[k] = "table key"
local f = function() end
t[f] = "fn key"
print(t[1], t[true], t[false], t[k], t[f])
print(pcall(function() t[nil] = 1 end))
print(pcall(function() t[0/0] = 1 end))
print(t[nil], t[0/0])
local cnt = 0
for _ in pairs(t) do cnt = cnt + 1 end
print(cnt)
t[2^53] = "big"
print(t[2^53], t[9007199254740992])

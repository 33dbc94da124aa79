-- string.format %s, %q, %%
print(string.format("%s %s %s %s", 1, 1.5, true, nil))
print(string.format("%10s|%-10s|%.2s", "right", "left", "truncate"))
print(string.format("%q", 'he said "hi"\n\0end'))
print(string.format("%q %q %q", 42, 1/0, math.mininteger))
print(string.format("100%% done"), string.format("%s", setmetatable({}, {__tostring = function() return "T!" end})))
print(pcall(string.format, "%d"))
print(pcall(string.format, "%z", 1))

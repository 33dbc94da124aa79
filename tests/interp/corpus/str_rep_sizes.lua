-- string.rep sizes with and without separators, negative counts, and the result-too-large error
for n = -2, 6 do print(n, #("ab"):rep(n), ("ab"):rep(n, "|"), #(""):rep(n, ","), ("x"):rep(n, "")) end
print(pcall(string.rep, "abc", math.maxinteger), pcall(string.rep, "x", 3, {}))
print(#string.rep("0123456789", 10000), #string.rep("a", 1000, "bc"))

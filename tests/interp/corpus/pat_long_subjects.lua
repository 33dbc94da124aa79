-- patterns: long subjects (far beyond Python's recursion limit) and backtracking stay correct
local s = string.rep("ab", 5000)
print(#s:match("^[ab]*$"), s:find("ba", 9990), #s:gsub("a", ""), select(2, s:gsub("ab", "")))
print(s:match("^.-(bb)"), #(s .. "c"):match("^(.-)c"), (s .. "x"):find("x", 1, true), #s:match("^(.*)b"))
local n = 0 for _ in s:gmatch("a") do n = n + 1 end print(n)
print(string.rep("a", 3000):find(".-b"), #string.rep("a", 20000):match("a*"), string.rep("x", 10000):match("^(x*)y"))
print(#string.rep("a", 10000):gsub("a-", "-"), string.rep("a", 10000):find("^a-$"))
print(string.find(string.rep("a", 14), string.rep("a*", 4) .. "b"))

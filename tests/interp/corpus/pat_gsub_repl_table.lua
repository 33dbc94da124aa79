-- string.gsub with table replacements: first capture as key, false/nil keep the match, numbers, __index, bad values
local t = {hello = "HI", world = false, n = 42, f = 1.5}
print(string.gsub("hello world n f x", "%a+", t))
print(string.gsub("k1 k2", "(k)(%d)", {k = "K"}))
print(string.gsub("abc", "()", {[1] = "one", [3] = "three"}))
local calls = {} local mt = setmetatable({}, {__index = function(_, k) calls[#calls + 1] = k return k:upper() end})
print(string.gsub("a b c", "%a", mt), table.concat(calls, ","))
print(pcall(string.gsub, "a", "a", {a = {}}), pcall(string.gsub, "a", "a", {a = true}))

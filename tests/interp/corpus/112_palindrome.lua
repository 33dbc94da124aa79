-- string reverse words and palindromes
local function ispal(s) s = s:lower():gsub("[^%a]", "") return s == s:reverse() end
print(ispal("A man, a plan, a canal: Panama"), ispal("hello"))
local words = {}
for w in ("one two three"):gmatch("%S+") do table.insert(words, 1, w) end
print(table.concat(words, " "))

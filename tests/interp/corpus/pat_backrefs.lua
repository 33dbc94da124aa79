-- patterns: back-references %1-%9 in patterns (quotes, doubled words, palindromes) and their errors
print(string.match('say "hi" and \'bye\'', "([\"'])(.-)%1"))
for q, w in string.gmatch([[a="x" b='y' c="z']], "([\"'])(.-)%1") do print(q, w) end
print(string.find("the the cat", "(%a+) %1"), string.match("abcabc", "^(.+)%1$"), string.match("aXa", "(.)X%1"))
print(string.gsub("hello  world  foo", "(%s)%1", "%1"), string.match("12321", "(%d)(%d)%d%2%1"))
print(pcall(string.find, "aa", "%1"), pcall(string.find, "aa", "(a)%2"), pcall(string.find, "aa", "(a%1)"))

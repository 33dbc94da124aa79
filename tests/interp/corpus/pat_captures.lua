-- patterns: nested captures, position captures, empty captures, capture limits, captures as gsub/gmatch results
print(string.match("2024-01-15T10:20:30", "((%d+)-(%d+)-(%d+))T((%d+):(%d+):(%d+))"))
print(string.find("hello world", "()(o)()"), string.match("abc", "()"), string.match("abc", "()", 4), string.match("abc", "()", 5))
print(string.match("abc", "(a)(b)(c)()"), string.match("abc", "((a)(b))"), string.match("", "(.*)"), string.match("ab", "(x*)"))
print(string.gsub("hello world", "(o)()", "%2"), string.gsub("abc", "()", "%1"))
for a, b, c in string.gmatch("k1=v1;k2=v2", "((%w+)=(%w+))") do print(a, b, c) end
for p1, w, p2 in string.gmatch("one two", "()(%a+)()") do print(p1, w, p2) end
local many = string.rep("(.)", 32)
print(select("#", string.match(string.rep("x", 32), many)))
print(pcall(string.match, string.rep("x", 33), string.rep("(.)", 33)))
print(pcall(string.match, "abc", "(()"), pcall(string.match, "abc", "())"), pcall(string.match, "abc", "%1"))
print(pcall(string.gsub, "abc", "(a)", "%2"), pcall(string.gsub, "abc", "a", "%1"), string.gsub("abc", "a", "%0%0"))

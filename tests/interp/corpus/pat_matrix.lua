-- patterns: find/match/gmatch/gsub over classes, sets, anchors, quantifiers, captures, %b, %f, back-references, and every pattern error
local function show(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end return table.concat(t, ",") end
local cases = {
  {"hello world", "o w"}, {"hello", "l+"}, {"hello", "l-"}, {"hello", "l*o"}, {"hello", "x?h"}, {"  trim  ", "^%s*(.-)%s*$"},
  {"key=val", "(%w+)=(%w+)"}, {"abc", "()b()"}, {"f(a(b)c)d", "%b()"}, {"THE (quick) fox", "%f[%a]%a+"}, {"aaa", "^a-$"},
  {"x = 10", "(%a+)%s*=%s*(%d+)"}, {"abcabc", "(abc)%1"}, {"[test]", "%[(.-)%]"}, {"a.b", "%."}, {"a+b", "a%+b"},
  {"2024-01-15", "(%d+)-(%d+)-(%d+)"}, {"\0a\0", "%z"}, {"abc", "[%a]+"}, {"a-b", "[a-]+"}, {"a]b", "[]]"}, {"a^b", "[%^]"}, {"x^", "[x^]+"},
  {"hello", ""}, {"", ""}, {"", "a*"}, {"abc", "$"}, {"a$b", "a$b"}, {"ab", "^(a)(b)$"}, {"caaat", "ca-t"}, {"caaat", "ca*t"},
  {"αβγ", "[\128-\255]+"}, {"A1_b", "[%w_]+"}, {"0x1F", "%x+", 3}, {"Hello", "%u%l+"}, {"a,b,,c", "([^,]*)"}, {"tab\there", "%c"},
  {"punct!?", "%p+"}, {"xyz", "[^x]"}, {"aXb", "%U"}, {"  x", "%S"}, {"ab12", "%D+"}, {"end", "d", -1}, {"end", "e", -10}, {"end", "e", 10},
  {"THE END", "%f[%w]%w+$"}, {"foo.bar", "^(.-)%.(.*)$"}, {"a", "(a)(b?)"}, {"((x))", "%b()"}, {"abc", "%bac"}, {"aaab", "a-b"},
  {"hello", "(h)(e)(l)(l)(o)"}, {"x", "()"}, {"abc", "b()"}, {"[[x]]", "%[%[(.*)%]%]"},
}
for _, c in ipairs(cases) do
  print(c[2], show(string.find(c[1], c[2], c[3])), show(string.match(c[1], c[2], c[3])))
end
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do print(k, v) end
for w in string.gmatch("one two  three", "%a+") do print(w) end
for p in string.gmatch("abc", "()") do io = p end print(io)
for a in ("abc"):gmatch("") do print(#a) end
for a, b in ("x1y2z3"):gmatch("(%a)(%d)", 3) do print(a, b) end
for a in ("hello"):gmatch(".", -2) do print(a) end
print(string.gsub("hello world", "o", "0"))
print(string.gsub("hello world", "(o)", "[%1%1]"))
print(string.gsub("hello world", "%w+", "<%0>"))
print(string.gsub("hello world", "l", "L", 2))
print(string.gsub("hello", "", "-"))
print(string.gsub("abc", ".", {a = 1, b = true, c = false}))
print(string.gsub("abc", "%w", function(c) if c == "b" then return nil end return c:upper() .. "!" end))
print(string.gsub("$name is $age", "%$(%w+)", {name = "Bob", age = 42}))
print(string.gsub("abc", "b*", "X"))
print(string.gsub("a b c", " ", "%%"))
print(string.gsub("hello", "l+", function() end))
print(string.gsub("x", "x", "%0%0%0"), string.gsub("abc", "(a)(b)(c)", "%3%2%1"))
print(string.gsub("abc", "^a", "X"), string.gsub("aaa", "^a", "X"))
print(string.gsub("hello", "(l)(l)", "%2%1", 0), string.gsub("hello", ".", "x", -1))
print(string.gsub("one two", "(%w+) (%w+)", "%2 %1"))
print(string.gsub("abc", "()", "%1"))
print(string.gsub("abc", ".", {a = 1.5}))
print(string.gsub("Ab", "%a", "%%%0"))
for _, bad in ipairs{"%", "[a", "[a-", "(", "a)", "%b", "%ba", "%f", "%fa", "(()", "%1", "(a)%2", "[%", "[]", "[^]", "a%"} do
  print(bad, pcall(string.find, "abc(a)", bad))
end
print(pcall(string.gsub, "abc", "(a)", "%2"))
print(pcall(string.gsub, "abc", "a", "%x"))
print(pcall(string.gsub, "abc", "a", "%"))
print(pcall(string.gsub, "abc", "a", {a = {}}))
print(pcall(string.gsub, "abc", "a", function() return {} end))
print(pcall(string.gsub, "abc", "a", true))
print(pcall(string.gsub, "abc", "a"))
print(pcall(string.rep, "x", 1e10))
print(pcall(string.find, string.rep("a", 300), string.rep("a?", 300) .. "b"))
print(pcall(string.match, "x", string.rep("(", 33) .. string.rep(")", 33)))
print(pcall(string.match, "x", string.rep("(", 32) .. "x" .. string.rep(")", 32)) )
print(string.find("a.b", ".", 1, true), string.find("a+b", "+", 1, true), string.find("abc", "", 10), string.find("abc", "", 4), string.find("", ""))
print(string.match(string.rep("a", 100000), ".-b"), #string.match(string.rep("ab", 50000), "^[ab]*$"))
print(string.find(string.rep("x", 100000) .. "y", "x*y"))
print(string.gsub(string.rep("ab", 3000), "ab", "c"):len())

-- patterns: every malformed-pattern error of 5.4 and pattern too complex
local bad = {"%", "[", "[a", "[a-", "[%", "[^", "(", "(()", ")", "a)", "%b", "%ba", "%f", "%fa", "%f[", "%1", "(a)%2",
  "a%", "[]", "[^]", "%g%", "(%", "((a)", "x(y"}
for _, p in ipairs(bad) do
  print(p, pcall(string.find, "abc", p), pcall(string.match, "abc", p), pcall(string.gsub, "abc", p, "x"), pcall(string.gmatch("abc", p)))
end
print(pcall(string.find, string.rep("a", 500), string.rep("a?", 500)))
print(pcall(string.match, string.rep("a", 300), string.rep("(a)", 30) .. string.rep("a?", 250)))

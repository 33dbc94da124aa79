-- patterns: '*', '+', '-', '?' on single chars, classes and sets, greedy vs lazy, backtracking
local cases = {{"aaab", "a*"}, {"aaab", "a+"}, {"aaab", "a-"}, {"aaab", "a-b"}, {"aaab", "a?"}, {"aaab", "a?a?a?a?b"},
  {"<a><b>", "<.*>"}, {"<a><b>", "<.->"}, {"<a><b>", "<[^>]*>"}, {"xyz", "x*y+z?"}, {"", "a*"}, {"", "a+"}, {"b", "a-b"},
  {"aaa", "^a-$"}, {"aaa", "a-$"}, {"abcabc", "(.-)c"}, {"abcabc", "(.*)c"}, {"12ab34", "%d+%a+%d*"}, {"  x  ", "%s*(.-)%s*$"},
  {"key = value", "^(%w+)%s*=%s*(%w+)$"}, {"aXbXc", "(.-)X(.*)"}, {"mississippi", "(s+)(i)"}, {"mississippi", "i(.-)i"}}
for _, c in ipairs(cases) do
  print(c[1], c[2], string.find(c[1], c[2]))
  print("", string.match(c[1], c[2]))
  print("", string.gsub(c[1], c[2], "<%0>"))
end

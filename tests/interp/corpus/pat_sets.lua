-- patterns: sets with ranges, escaped specials, ']' first, '^' and '-' placement, classes inside sets
local s = "a-b]c^d[e%f.g*h+i?j(k)l$m 09 AZ az"
for _, p in ipairs{"[a-c]", "[%a%d]+", "[]]", "[^]]+", "[%]]", "[a%-z]+", "[-a]", "[a-]", "[%^]", "[x^]", "[^%s]+", "[%[%]]",
    "[%.%*%+%?]", "[()]", "[$]", "[%%]", "[0-9A-Z]+", "[^a-z]+", "[z-a]", "[%w-]+", "[.]", "[^%a%s]+"} do
  local out = {}
  for m in s:gmatch(p) do out[#out + 1] = m end
  print(p, table.concat(out, "|"), (s:gsub(p, "_")))
end

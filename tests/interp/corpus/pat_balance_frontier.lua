-- patterns: %b with various delimiters and nesting, %f frontiers at edges, words and numbers
local s = "f(a(b)c) [x[y]z] {{}} <<>> (unclosed"
for _, p in ipairs{"%b()", "%b[]", "%b{}", "%b<>", "%b((", "%b))", "%bab", "%b)(", "%b%%"} do
  local out = {} for m in s:gmatch(p) do out[#out + 1] = m end print(p, table.concat(out, "|"))
end
local t = "THE (quick) brown FOX jumps, over12 the lazy-dog 42"
for _, p in ipairs{"%f[%a]%a+", "%f[%w]%w+", "%f[%a]%u+%f[%A]", "%f[%l]%l+", "%f[%d]%d+", "%f[%S]%S+", "%f[^%s]", "%f[%z]", "%f[%A]", "%f[^%z]"} do
  local out = {} for m in t:gmatch(p) do out[#out + 1] = m end print(p, table.concat(out, "|"), (t:gsub(p, "#")))
end
print(pcall(string.find, "x", "%f"), pcall(string.find, "x", "%fx"), pcall(string.find, "x", "%b"), pcall(string.find, "x", "%bx"))

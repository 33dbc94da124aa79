-- string.format %q round-trips every value: integers, floats (hex), inf, nan, mininteger, strings with control bytes
local vals = {0, 1, -1, math.maxinteger, math.mininteger, 0.0, -0.0, 0.1, 1/3, -2.5, 1e300, 2^-1074, 2^63, 1/0, -1/0,
  "", "plain", "quote\"d", "back\\slash", "new\nline", "cr\rlf", "\0zero", "\0001", "tab\tx", "\127del", "\200\255", "\0019", "a\1b\2c"}
for _, v in ipairs(vals) do
  local q = string.format("%q", v)
  local back = load("return " .. q)()
  print(q, back == v or (v ~= v and back ~= back), math.type(back) == math.type(v))
end
local q = string.format("%q", 0/0); print(q, load("return " .. q)() ~= load("return " .. q)())
print(string.format("%q", true), string.format("%q", false), string.format("%q", nil))
print(pcall(string.format, "%q", {})); print(pcall(string.format, "%q", print)); print(pcall(string.format, "%5q", 1)); print(pcall(string.format, "%-q", 1))
print(string.format("%q|%q", "a", 1))

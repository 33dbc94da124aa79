-- a short comment ends at a carriage return too; load does not skip a first '#' line
local prog = "a = 1 -- a comment\nreturn a + 1\n"
for _, n in ipairs{"\n", "\r", "\n\r", "\r\n"} do
  local p = string.gsub(prog, "\n", n)
  print(load(p)())
end
print(load("#x = 1"))
print(load("x = 1 #"))
-- equal long constants are one string, a concatenation made at run time is another
local s1 = "01234567890123456789012345678901234567890123456789"
local s2 = "01234567890123456789012345678901234567890123456789"
local sd = "0123456789" .. "0123456789012345678901234567890123456789"
print(string.format("%p", s1) == string.format("%p", s2), sd == s1, string.format("%p", sd) ~= string.format("%p", s1))

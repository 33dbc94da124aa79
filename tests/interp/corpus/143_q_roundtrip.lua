-- string escapes in output round-trip through %q
local s = "tab\there\0null\255end\r\n"
local q = string.format("%q", s)
local back = load("return " .. q)()
print(back == s, #s)

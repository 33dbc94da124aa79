-- patterns: '^' and '$' anchors in find, match, gmatch (a literal '^' there) and gsub, with init positions
local s = "^start middle end$"
print(s:find("^%^"), s:find("^start"), s:find("end%$$"), s:find("end$"), s:find("$"), s:find("^"))
print(s:match("^(%S+)"), s:match("(%S+)$"), s:match("^.-$") == s, s:find("^middle"), s:find("^middle", 8))
for w in ("a^b^c"):gmatch("^%a") do print("gm", w) end
print(("aaa"):gsub("^a", "b"), ("aaa"):gsub("a$", "b"), ("a$b"):gsub("%$", "!"), ("abc"):gsub("$", "!"), ("abc"):gsub("^", "!"))
print(("hello"):find("l", -2), ("hello"):find("^l", -2), ("hello"):match("^(.)", 3), ("hello"):match("(.)$", -3))

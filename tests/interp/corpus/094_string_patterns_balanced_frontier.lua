-- %b balanced matches and %f frontiers
print(("call(a, (b, c)) rest"):match("%b()"))
print(("{x{y}z}"):gsub("%b{}", "B"))
print(("THE (quick) brown FOX"):gsub("%f[%a]%u+%f[%A]", "W"))
print(("hello world"):gsub("%f[%w]%w+", string.upper))
print(pcall(string.find, "a", "%b"))
print(pcall(string.find, "a", "%f"))

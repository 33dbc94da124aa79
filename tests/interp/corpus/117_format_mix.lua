-- string.format with many argument types
print(string.format("[%5s][%-5s][%05.1f][%3d][%-3d]", "ab", "cd", 3.14159, 7, 7))
print(string.format("%s %s", {} ~= nil, 12.0))
print(string.format("%.3s|%.0s|", "abcdef", "xyz"))

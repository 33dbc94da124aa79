-- string.byte and string.char
print(string.byte("ABC"), string.byte("ABC", 2), string.byte("ABC", 1, 3), string.byte("ABC", -1))
print(string.byte("", 1), select("#", string.byte("abc", 3, 1)))
print(string.char(), string.char(97, 98, 99), #string.char(0, 255))
print(pcall(string.char, 256))
print(pcall(string.char, -1))

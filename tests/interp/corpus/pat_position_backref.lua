-- position captures used as back-references never match (C compares a (size_t)-2 length)
print(string.find("", "^()%1$"), string.find("aa", "()a%1"), string.match("xx", "(x)()%2"), string.gsub("ab", "()%1", "!"))

-- back-references %1 in patterns
print(('say "hi" or \'bye\''):match("([\"'])(.-)%1"))
print(("abcabc"):find("(abc)%1"))
print(("xyzzy"):match("(.)%1"))
print(pcall(string.find, "aa", "%1"))

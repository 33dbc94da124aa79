-- string.find with patterns and captures
print(("hello world"):find("(o)(r)"))
print(("key = value"):find("(%w+)%s*=%s*(%w+)"))
print(("  trim  "):find("^%s*(.-)%s*$"))
print(("aaa"):find("a-"), ("aaa"):find("a*"), ("aaa"):find("a+"), ("aaa"):find("a?"))
print(("abc"):find("()b()"))
print(("x = 1"):find("^x"), ("x = 1"):find("^y"), ("end$"):find("$"), ("abc"):find("c$"))

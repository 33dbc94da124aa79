-- assert returns its arguments or raises
print(assert(1, "unused"), assert("v", 2, 3))
print(pcall(assert, false))
print(pcall(assert, nil, "custom message"))
print(type(select(2, pcall(assert, false, {1}))))
print(pcall(assert))

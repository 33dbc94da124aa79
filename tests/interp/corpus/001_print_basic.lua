-- print with several values, nil, booleans
print(1, "two", nil, true, false)
print()
print("a\tb")

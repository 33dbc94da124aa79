-- anchored gsub and gsub limits
print(("aaa"):gsub("^a", "b"))
print(("hello"):gsub("l*", "-"))
print(("abc"):gsub(".", {a = 1, b = true}))
print(("one two three"):gsub("(%w+)", "%0", 2))
print(("abc"):gsub("$", "!"), ("abc"):gsub("^", "!"))

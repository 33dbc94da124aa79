-- upper, lower, reverse, rep
print(("Hello World 123"):upper(), ("Hello World 123"):lower(), ("abc"):reverse(), (""):reverse())
print(("ab"):rep(3), ("ab"):rep(3, "-"), ("x"):rep(0), ("x"):rep(-1), ("x"):rep(1, ","))

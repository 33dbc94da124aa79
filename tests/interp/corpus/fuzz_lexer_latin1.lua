-- bytes above 127 are not letters or digits to the lexer, whatever Python's str methods say
print(load("x = \233"))
print(load("\233 = 1"))
print(load("return \"\\\178\""))
print(load("return 0x\185"))
print(pcall(string.format, "%\178d", 1))
print(pcall(string.format, "%5\178d", 1))
print(pcall(string.format, "%.\179f", 1))
print(load("return '\233'")())

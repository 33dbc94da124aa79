-- ipairs' iterator wraps around at math.maxinteger, like integer addition
local f = ipairs{}
local k, v = f({[math.mininteger] = 10}, math.maxinteger)
print(k == math.mininteger, v)
k, v = f({[math.mininteger] = 10}, k)
print(k, v)
print(type(ipairs{}) == "function", ipairs{} == ipairs{})

print(load("return _ENV", nil, nil, 123)() == 123)
print(load("return _ENV", nil, nil, nil)() == nil)
print(pcall(load("return x", nil, nil, nil)))
print(pcall(load("return x", nil, nil, 5)))
print(load("return _ENV")() == _G, load("local _ENV = {y = 2}; return y")())
local e = {z = 3}
print(load("return _ENV", nil, nil, e)() == e, load("return z", nil, nil, e)())
print((select(2, load(function() error("hhi") end))):match("hhi"))

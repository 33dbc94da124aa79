-- load with strings, chunk names and environments
local f = load("return 1 + 1")
print(f())
local g = load("x = 10; return x", "=mychunk", "t", {})
print(g(), x)
print(load("syntax = error + "))
print(load("return ...", "varchunk")(4, 5))
local env = {print = print, tostring = tostring}
local h = load("y = 5 return y", "env", "t", env)
print(h(), env.y, y)
print(pcall(load("error('in loaded')", "=loaded")))

-- closure factories with independent state
local function make(step)
  local total = 0
  return function() total = total + step; return total end
end
local a, b = make(1), make(10)
a(); a(); b()
print(a(), b())
local function compose(f, g) return function(...) return f(g(...)) end end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5))

-- varargs forwarding through several levels
local function inner(...) return select("#", ...), ... end
local function outer(...) return inner(...) end
print(outer(1, nil, 3, nil))
local function sum(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end
print(sum(1, 2, 3, 4), sum())
local function first(x, ...) return x end
print(first(9, 8, 7))

-- calls with string and table literal arguments
local function show(x) return type(x) == "table" and ("table#" .. #x) or x end
print(show"literal", show{1, 2, 3}, show[[long]])
local function chain(x) return function(y) return x .. y end end
print(chain"a""b")

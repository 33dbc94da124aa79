-- __concat with numbers on either side
local C = setmetatable({}, {__concat = function(a, b) return "C" end})
print(C .. 1, 1 .. C, C .. C)

-- __unm and __len on proxies
local P = setmetatable({}, {__unm = function() return "negated" end, __len = function() return 7 end})
print(-P, #P)

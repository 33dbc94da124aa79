-- __eq, __lt, __le metamethods
local M = {}
M.__eq = function(a, b) return a.k == b.k end
M.__lt = function(a, b) return a.k < b.k end
M.__le = function(a, b) return a.k <= b.k end
local function o(k) return setmetatable({k = k}, M) end
print(o(1) == o(1), o(1) ~= o(2), o(1) < o(2), o(2) <= o(2), o(3) > o(2), o(1) >= o(2))
local t = o(5)
print(t == t, rawequal(t, o(5)), t == 5)

-- math.random ranges (values vary, only properties printed)
math.randomseed(42)
local ok = true
for i = 1, 100 do
  local r = math.random(); if r < 0 or r >= 1 then ok = false end
  local k = math.random(5); if k < 1 or k > 5 or math.type(k) ~= "integer" then ok = false end
  local m = math.random(-3, 3); if m < -3 or m > 3 then ok = false end
end
print(ok, pcall(math.random, 2, 1))

-- loops nested deeper than Python's 20 static blocks, with break, goto and closures inside
local n = 0
for a = 1, 2 do for b = 1, 1 do for c = 1, 1 do for d = 1, 1 do for e = 1, 1 do
for f = 1, 1 do for g = 1, 1 do for h = 1, 1 do for i = 1, 1 do for j = 1, 1 do
while true do repeat for k in pairs({1}) do for l = 1, 2 do for m = 1, 1 do
for o = 1, 1 do for p = 1, 1 do for q = 1, 1 do for r = 1, 1 do for s = 1, 1 do
for u = 1, 1 do for v = 1, 1 do
  n = n + a * l
  if l == 2 then goto done end
end end end end end end end end end end
::done::
end until true break end
end end end end end end end end end end
print(n)
local fs = {}
for a = 1, 2 do for b = 1, 2 do for c = 1, 2 do for d = 1, 2 do for e = 1, 2 do for f = 1, 2 do
for g = 1, 2 do
  local v = a + b + c + d + e + f + g
  fs[#fs + 1] = function() return v end
end end end end end end end
local total = 0
for _, f in ipairs(fs) do total = total + f() end
print(#fs, total)
local function deep()
  for a = 1, 1 do for b = 1, 1 do for c = 1, 1 do for d = 1, 1 do for e = 1, 1 do
  for f = 1, 1 do for g = 1, 1 do for h = 1, 1 do
    return a + b + c + d + e + f + g + h
  end end end end end end end end
end
print(deep())

-- quicksort recursive implementation
local function qs(t, lo, hi)
  if lo < hi then
    local p, i = t[hi], lo - 1
    for j = lo, hi - 1 do if t[j] <= p then i = i + 1; t[i], t[j] = t[j], t[i] end end
    t[i + 1], t[hi] = t[hi], t[i + 1]
    qs(t, lo, i); qs(t, i + 2, hi)
  end
end
local t = {9, 7, 5, 11, 12, 2, 14, 3, 10, 6}
qs(t, 1, #t)
print(table.concat(t, ","))

-- table.sort without comparator: numbers (int/float mix), strings, already sorted, reversed, duplicates
local function show(t) local o = {} for i = 1, #t do o[i] = tostring(t[i]) end return table.concat(o, " ") end
local cases = {{}, {1}, {2, 1}, {3, 1, 2}, {5, 4, 3, 2, 1}, {1, 2, 3, 4, 5}, {1, 1, 1, 1}, {3, 1.5, -2, 2^53, -0.0, 0, 1e100, -1/0, 1/0},
  {"b", "a", "C", "", "aa", "\0", "B"}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10}}
for _, t in ipairs(cases) do table.sort(t) print(show(t)) end
local big = {} for i = 1, 300 do big[i] = (i * 7919) % 1009 end table.sort(big)
local ok = true for i = 2, #big do if big[i - 1] > big[i] then ok = false end end print(ok, big[1], big[300])

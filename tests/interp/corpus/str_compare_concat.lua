-- strings: comparison by bytes, concatenation with numbers, integer/float formatting in concat
local words = {"a", "B", "abc", "ab", "", "\0", "\255", "Z", "z", "10", "9", "a\0b", "a\0a"}
table.sort(words) local out = {} for i, w in ipairs(words) do out[i] = string.format("%q", w) end print(table.concat(out, " "))
print("a" < "b", "a" < "B", "abc" < "abd", "" < "a", "a\0" > "a", "Z" < "a", "10" < "9")
print(1 .. 2, 1.0 .. "", -0.0 .. "", 2^63 .. "", math.mininteger .. "", 1e100 .. "", 0.1 .. "", 1/0 .. "", 123456789012 .. "")
print(pcall(function() return "a" < 1 end), pcall(function() return {} .. "" end), pcall(function() return "" .. nil end))

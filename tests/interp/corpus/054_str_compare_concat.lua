-- string comparison and concatenation of numbers
print("a" .. "b" .. "c", 1 .. "", 1.0 .. "", -0.0 .. "", 2^63 .. "", "x" .. 10 // 3)
print("abc" < "abd", "a" < "aa", "B" < "a", "" == "", "10" < "9")
local parts = {}
for i = 1, 5 do parts[#parts + 1] = i .. "" end
print(table.concat(parts))

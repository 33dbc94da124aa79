-- string.format %c: every byte value, widths, and its errors
local t = {}
for i = 0, 255 do t[#t + 1] = string.format("%c", i) end
local s = table.concat(t)
print(#s, s:byte(1), s:byte(256), s == string.char(table.unpack((function() local r = {} for i = 0, 255 do r[#r+1] = i end return r end)())))
print("[" .. string.format("%5c", 65) .. "]", "[" .. string.format("%-5c", 66) .. "]", string.format("%c%c", 256 + 65, -191))
print(pcall(string.format, "%05c", 65)); print(pcall(string.format, "%.1c", 65)); print(pcall(string.format, "%c", 1.5)); print(pcall(string.format, "%c", "x"))
print(string.format("%c", "65"), string.format("%c", 66.0))

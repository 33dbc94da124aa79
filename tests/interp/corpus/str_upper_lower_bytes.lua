-- string.upper/lower/reverse/len over every byte value (only ASCII letters change case)
local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end local all = table.concat(t)
local up, low = all:upper(), all:lower()
local changed = {} for i = 1, 256 do if up:byte(i) ~= i - 1 or low:byte(i) ~= i - 1 then changed[#changed + 1] = i - 1 end end
print(#changed, table.concat(changed, ","), #all:reverse(), all:reverse():byte(1), all:len())

-- building strings with table.concat and ..
local buf = {}
for i = 1, 10 do buf[#buf + 1] = string.format("%02d", i) end
print(table.concat(buf, ":"))
local s = ""
for i = 1, 5 do s = s .. i .. "," end
print(s)

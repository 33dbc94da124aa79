-- patterns: class %d alone, in sets, negated sets and ranges, with find/match/gsub/gmatch
local s = "Hello, World! 123 _x-y\t\n\0\1\127\128\200\255 ABCdef 0x1F;"
local function bytes(x) local t = {} for i = 1, #x do t[#t + 1] = x:byte(i) end return table.concat(t, ",") end
print(bytes((s:gsub("%d", ""))))
print(bytes((s:gsub("[%d]", "#"))))
print(bytes((s:gsub("[^%d]", ""))))
print(bytes((s:gsub("[%d_]+", "<%0>"))))
print(s:find("%d"), s:find("%d+"), s:find("%d", 10), s:find("%d%d"))
print(bytes(s:match("%d+") or ""), bytes(s:match("%d*$") or ""))
local n = 0 for w in s:gmatch("%d+") do n = n + #w end print(n)
local c = 0 for i = 0, 255 do if string.char(i):find("^%d$") then c = c + 1 end end print("count", c)

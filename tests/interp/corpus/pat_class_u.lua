-- patterns: class %u alone, in sets, negated sets and ranges, with find/match/gsub/gmatch
local s = "Hello, World! 123 _x-y\t\n\0\1\127\128\200\255 ABCdef 0x1F;"
local function bytes(x) local t = {} for i = 1, #x do t[#t + 1] = x:byte(i) end return table.concat(t, ",") end
print(bytes((s:gsub("%u", ""))))
print(bytes((s:gsub("[%u]", "#"))))
print(bytes((s:gsub("[^%u]", ""))))
print(bytes((s:gsub("[%u_]+", "<%0>"))))
print(s:find("%u"), s:find("%u+"), s:find("%u", 10), s:find("%u%u"))
print(bytes(s:match("%u+") or ""), bytes(s:match("%u*$") or ""))
local n = 0 for w in s:gmatch("%u+") do n = n + #w end print(n)
local c = 0 for i = 0, 255 do if string.char(i):find("^%u$") then c = c + 1 end end print("count", c)

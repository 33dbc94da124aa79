local x = setmetatable({}, {__mode = 'kv'})
x[1] = {}
local n = 0
while x[1] do n = n + 1; local a = n .. n end
print("collected", n > 0)
local k = setmetatable({}, {__mode = 'k'})
local key = {}
k[key] = 1; k[{}] = 2; k["s"] = 3
collectgarbage()
local c = 0
for kk, v in pairs(k) do c = c + 1 end
print(c, k[key], k.s)
local v = setmetatable({}, {__mode = 'v'})
local keep = {}
v[1] = keep; v[2] = {}; v[3] = "str"; v[4] = function() end
collectgarbage()
print(v[1] == keep, v[2], v[3], v[4])
print(collectgarbage("isrunning"), collectgarbage("stop"), collectgarbage("isrunning"), collectgarbage("restart"))
print(type(collectgarbage("count")), collectgarbage("step"), collectgarbage("incremental"), collectgarbage("generational"), collectgarbage("incremental"))
print(pcall(collectgarbage, "bogus"))
print(pcall(collectgarbage, {}))
print(collectgarbage("collect"), collectgarbage())

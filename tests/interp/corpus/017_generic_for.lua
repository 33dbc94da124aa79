-- generic for with ipairs, pairs, custom iterators and stateless iterators
local t = {"a", "b", "c"}
for i, v in ipairs(t) do print(i, v) end
local function range(n)
  local i = 0
  return function() i = i + 1; if i <= n then return i end end
end
for v in range(3) do print("r", v) end
local function iter(s, c) if c < s then return c + 1, c * 2 end end
for a, b in iter, 3, 0 do print(a, b) end
local keys = {}
for k in pairs({x = 1, y = 2, z = 3}) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","))
for i, v in ipairs({1, 2, nil, 4}) do print("ip", i, v) end

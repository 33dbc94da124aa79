-- a parameter compared with an integer local gets an integer version; other values take the general one
local function upto(n)
  local j, k = 0, 0
  while j < n do j = j + 1 end
  while n > k do k = k + 2 end
  return j, k
end
print(upto(5), upto(0), upto(-3))
print(upto(4.5), upto(2.0), upto(-0.5))
print(upto(math.maxinteger // (1 << 40)))
print(pcall(upto, "3"))
print(pcall(upto, nil))
local mt = {__lt = function(a, b) return (type(a) == "table" and a.v or a) < (type(b) == "table" and b.v or b) end}
print(upto(setmetatable({v = 3}, mt)))
local function count_down(n, m)
  local i = 10
  local c = 0
  while i > n and i >= m do i = i - 1; c = c + 1 end
  return c, i
end
print(count_down(3, 0), count_down(3.5, 1), count_down(2, 5.5))
local function change(n)
  local i = 0
  while i < n do i = i + 1; if i == 3 then n = "x" .. n end end
  return i, n
end
print(pcall(change, 5))

-- binary search
local function bs(t, x) local lo, hi = 1, #t while lo <= hi do local mid = (lo + hi) // 2 if t[mid] == x then return mid elseif t[mid] < x then lo = mid + 1 else hi = mid - 1 end end return nil end
local t = {1, 3, 5, 7, 9, 11}
print(bs(t, 7), bs(t, 1), bs(t, 11), bs(t, 4))

-- local function recursion and forward declarations
local function countdown(n) if n == 0 then return "liftoff" end return countdown(n - 1) end
print(countdown(10))
local isodd
local function iseven(n) if n == 0 then return true end return isodd(n - 1) end
function isodd(n) if n == 0 then return false end return iseven(n - 1) end
print(iseven(10), isodd(7))

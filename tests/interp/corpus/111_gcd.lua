-- gcd and lcm with integer arithmetic
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
print(gcd(48, 18), gcd(17, 5), 48 * 18 // gcd(48, 18))

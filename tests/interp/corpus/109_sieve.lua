-- sieve of Eratosthenes
local N, sieve, primes = 100, {}, {}
for i = 2, N do if not sieve[i] then primes[#primes + 1] = i; for j = i * i, N, i do sieve[j] = true end end end
print(#primes, primes[#primes], table.concat(primes, " ", 1, 10))

-- float modulo and floor division with infinities, NaN and zero divisors
print(pcall(function() return (1/0) % 1, (-1/0) % 2.5, (0/0) % 1, 5.5 % (1/0), -5.5 % (1/0), 5.5 % (-1/0), (1/0) % (1/0), 1 % 0.0, (1/0) // 1, -(1/0) // 1 end))

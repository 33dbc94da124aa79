-- string.format float conversions
print(string.format("%f %.2f %10.3f %-10.1f|", 3.14159, 3.14159, 3.14159, 3.14159))
print(string.format("%e %.3E %g %G %g %g", 12345.678, 12345.678, 0.0001, 1e-10, 1e20, 100))
print(string.format("%.0f %.1f %5.1f", 2.5, 0.05, -1.25))
print(string.format("%g %g %g", 1/0, -1/0, 2^63))
print(string.format("%a %a", 1.0, 0.5))

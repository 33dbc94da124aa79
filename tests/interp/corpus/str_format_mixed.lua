-- string.format: several conversions in one format, percent escapes, numbers as strings
print(string.format("%d items at %.2f each = %8.3f total (%s) %x%%", 3, 1.25, 3 * 1.25, "ok", 255))
print(string.format("%-10s|%10s|", "left", "right"), string.format("%05.1f|%+d|% d", 3.14159, 5, 5))
print(string.format("%s %s %s", 1, 1.0, -0.0), string.format("%d %s", "10", 10 // 3), string.format("%.3f", "1e2"))
print(string.format("%g %g %g %g %g", 1e15, 1e16, 1e-4, 1e-5, 123456789))
print(string.format("%.14g|%.15g|%.16g|%.17g", 0.1, 0.1, 0.1, 0.1))
print(string.format("%5.1s|%-5.1s|", "abc", "abc"), string.format("%c%c%c", 0x4c, 0x75, 0x61))
print(string.format("%3$s", "x") == nil)

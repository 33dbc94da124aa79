-- string.format: integer, float, hex-float, string, char and %q conversions over flags, widths and precisions; invalid specifications
local fmts = {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%5.3d", "%-8.3d|", "%+05d", "%i", "%.0d", "%5.0d",
  "%u", "%o", "%#o", "%x", "%X", "%#x", "%#X", "%08x", "%#08x", "%.5x", "%#.0o", "%#o"}
for _, f in ipairs(fmts) do
  for _, v in ipairs{0, 1, -1, 42, -42, 255, math.maxinteger, math.mininteger, 3.0} do
    local ok, r = pcall(string.format, f, v)
    print(f, v, ok, r)
  end
end
local ffmts = {"%f", "%.0f", "%.3f", "%10.2f", "%-10.2f|", "%+f", "% f", "%010.3f", "%#.0f", "%e", "%.2e", "%E", "%12.4E", "%g", "%G", "%.3g", "%#g", "%#.3g", "%10g", "%-+12.5g|", "%a", "%A", "%.2a", "%.0a", "%#a", "%+a", "%12a", "%-12a|", "%012a", "%.1a"}
for _, f in ipairs(ffmts) do
  for _, v in ipairs{0.0, -0.0, 1.0, -1.5, 3.14159, 1e-5, 1e20, 123456789.0, 0.1, 1/0, -1/0, 2^-1074, 2^1023, 0.5, 1.0 - 2^-53, 255.5, 15.96875} do
    local ok, r = pcall(string.format, f, v)
    print(f, v, ok, r)
  end
  print(f, string.format(f, 7), pcall(string.format, f, "1e2"))
end
for _, f in ipairs{"%5s|", "%-5s|", "%.2s", "%5.1s|", "%s", "%c", "%5c|", "%-3c|", "%q", "%10q", "%#d", "%#s", "%05s", "%.3c", "%100d", "%1000d", "%-099d", "%.123d", "%w", "%", "%#+- 0d", "%ld", "%lld", "%5", "% x", "%+u", "%-#x", "%0-5d|", "%-05d|", "%.f", "%5.d"} do
  print(f, pcall(string.format, f, 65))
end
print(pcall(string.format, "%d", 1.5), pcall(string.format, "%d", "x"), pcall(string.format, "%d"))
print(pcall(string.format, "%s %s", 1), pcall(string.format))
print(string.format("%s|%s|%s|%s", nil, true, 1.0, -0.0), string.format("%10.3s|", setmetatable({}, {__tostring = function() return "hello" end})))
print(pcall(string.format, "%10s", "a\0b"), string.format("%s", "a\0b") == "a\0b")
print(string.format("%5s|", string.rep("x", 120)) == string.rep("x", 120) .. "|")
print(string.format("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -0.5), string.format("%.1f %.2f", 0.05, 1.005))
print(string.format("%.14g %.17g %.3e", 0.1, 0.1, 12345.6789))
print(string.format("%q", 1/3), string.format("%q", -0.0), string.format("%q", 2^63), string.format("%q", math.mininteger), string.format("%q", 1e100))
print(string.format("%q", "a\0b\1c\0012\r\n\t\"\\\127\200end"))
print(pcall(string.format, "%q", {}), pcall(string.format, "%q", print))
print(string.format("%5.2f%%|%-3d|", 3.14159, 7))
print(string.format("%x", -1), string.format("%X", 3.0), string.format("%c%c%c", 76, 117, 97))

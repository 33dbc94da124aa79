-- string.format: invalid conversions, too-long and invalid specifications, missing and wrong arguments
for _, f in ipairs{"%", "%y", "%l", "%ld", "%hd", "%lf", "%n", "%F", "%-", "%5", "%.", "%.5", "%123d", "%1.123f", "%-099d",
    "%0-5d", "%#d", "%#i", "% u", "%+x", "%+c", "%#s", "%.3p", "%+p", "%--5d", "%00000005d", "%######x",
    "%1234567890123456789012345d", "%%", "%%%", "abc%", "%q%", "%5.2%"} do
  print(f, pcall(string.format, f, 42))
end
print(pcall(string.format, "%d %d", 1)); print(pcall(string.format, "%d", 2^63)); print(pcall(string.format, "%d", "1.5"))
print(pcall(string.format, "%d", {})); print(pcall(string.format, "%x", nil)); print(pcall(string.format))
print(pcall(string.format, 12)); print(string.format(12.5)); print(pcall(string.format, {}))
print(select("#", string.format("")), string.format("", 1, 2, 3), string.format("no conversions", 1))

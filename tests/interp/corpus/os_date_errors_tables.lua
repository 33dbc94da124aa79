-- os.date: *t and !*t tables, invalid conversion specifiers, bad time arguments
for _, t in ipairs{0, 1e9, 1700000000} do
  local d = os.date("!*t", t) print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
  local l = os.date("*t", t) print(type(l.year), type(l.isdst), os.time(l) == t)
end
for _, f in ipairs{"%Ez", "%E", "%O", "%Oz", "%q", "%", "abc%", "%5d", "%-d", "%#c", "%i", "%k"} do print(f, pcall(os.date, f, 0)) end
print(pcall(os.date, "%Y", "x"), pcall(os.date, "%Y", 1.5), pcall(os.date, {}), os.date(12, 0), os.date("!", 0), os.date("!plain text", 0))

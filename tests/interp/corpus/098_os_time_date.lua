-- os.time and os.date with fixed inputs
local t = os.time({year = 2020, month = 6, day = 15, hour = 12, min = 30, sec = 45})
print(type(t), os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%j %A %B", 86400 * 40))
local d = os.date("!*t", 3600)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
print(os.difftime(10, 4), type(os.clock()), os.time() > 1600000000)
print(pcall(os.time, {year = 2020}))

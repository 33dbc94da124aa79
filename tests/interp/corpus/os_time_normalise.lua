-- os.time: defaults (hour 12), normalisation of out-of-range fields written back to the table, errors
local t = {year = 2021, month = 13, day = 32, hour = 25, min = 61, sec = 61}
local stamp = os.time(t) print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday)
print(os.time{year = 2000, month = 1, day = 1} - os.time{year = 2000, month = 1, day = 1, hour = 0})
print(os.time{year = 2020, month = 3, day = 0} == os.time{year = 2020, month = 2, day = 29}, os.time{year = 2020, month = 1, day = 1, sec = -1} == os.time{year = 2019, month = 12, day = 31, hour = 23, min = 59, sec = 59})
print(pcall(os.time, {year = 2020, month = 1})); print(pcall(os.time, {month = 1, day = 1})); print(pcall(os.time, {year = 2020, month = "x", day = 1}))
print(pcall(os.time, {year = 2020, month = 1, day = 1.5})); print(pcall(os.time, {year = 2020, month = 1, day = 1, min = 2^40})); print(pcall(os.time, "x"))
print(os.time{year = "2020", month = "1", day = "2", hour = "3"} == os.time{year = 2020, month = 1, day = 2, hour = 3}, math.type(os.time()))
print(os.difftime(os.time{year = 2020, month = 1, day = 2}, os.time{year = 2020, month = 1, day = 1}), pcall(os.difftime, 1), pcall(os.difftime, 1.5, 1))
print(type(os.clock()), os.clock() >= 0)

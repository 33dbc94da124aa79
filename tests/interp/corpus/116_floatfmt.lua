-- float formatting of common values
for _, v in ipairs({0.5, 1/3, 2/3, 1e-7, 123.456, 1e14, 1e15, 123456789.123, -2.5, 3.0}) do print(v) end

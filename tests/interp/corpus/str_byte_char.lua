-- string.byte/char: ranges, negative indices, out-of-range, all bytes, errors
local s = "\0\1Az\127\128\255"
for _, r in ipairs{{}, {1}, {2, 4}, {-1}, {-3, -1}, {0}, {0, 2}, {5, 100}, {8}, {3, 2}, {-100, 100}} do print(s:byte(r[1], r[2])) end
print(string.char(), string.char(72, 105), #string.char(0, 0, 0), pcall(string.char, 256), pcall(string.char, -1), pcall(string.char, "x"))
print(pcall(string.char, 1.5), string.char("65", 66.0), pcall(string.byte), pcall(string.byte, "x", "y"))

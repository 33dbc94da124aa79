-- string.len and string.sub with negative and out-of-range indices
local s = "hello world"
print(#s, s:len(), string.len(""))
print(s:sub(1, 5), s:sub(-5), s:sub(-5, -2), s:sub(7), s:sub(0), s:sub(20), s:sub(5, 2), s:sub(-100, 3))
print(("abc"):sub(2, 2), ("abc"):sub(4, 10) == "")

-- string.gmatch iteration, captures and empty matches
for w in ("one two  three"):gmatch("%S+") do print(w) end
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do print(k, v) end
local n = 0
for _ in ("abc"):gmatch("") do n = n + 1 end
print(n)
for a in ("abc"):gmatch("x*") do io_write = (io_write or "") .. "[" .. a .. "]" end
print(io_write)
for p in ("hello"):gmatch("()l") do print(p) end

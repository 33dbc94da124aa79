-- string.gmatch: captures, empty matches, init argument (5.4), anchors, modifying nothing while iterating
for w in ("one two three"):gmatch("%a+", 5) do print(w) end
for a, b in ("a1b2c3"):gmatch("(%a)(%d)", -4) do print(a, b) end
for e in ("abc"):gmatch("x*") do print("[" .. e .. "]") end
for e in ("abc"):gmatch("", 10) do print("past", e) end
local it = ("k=v"):gmatch("(%w)=(%w)"); print(it()); print(it()); print(it())
for w in ("  x  y  "):gmatch("%S*") do print("<" .. w .. ">") end
print(pcall(string.gmatch), pcall(string.gmatch, "x"), pcall(string.gmatch, "x", "y", "z"))

-- string.gsub with function and table replacements
print(("hello world"):gsub("%w+", function(w) return w:upper() end))
print(("$name is $age"):gsub("%$(%w+)", {name = "Bob", age = 42}))
print(("abc"):gsub("%w", function(c) if c == "b" then return nil end return c .. c end))
print(("x1y2"):gsub("%d", function(d) return d * 2 end))
print(("abc"):gsub("b", false and "" or {b = false}))
print(pcall(string.gsub, "abc", "b", function() return {} end))

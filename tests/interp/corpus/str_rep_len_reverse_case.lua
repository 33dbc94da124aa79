-- string.rep (with separator), len, reverse, upper, lower on ASCII and high bytes
for _, n in ipairs{-1, 0, 1, 2, 5} do print(n, "[" .. ("ab"):rep(n) .. "]", "[" .. ("ab"):rep(n, ",") .. "]", "[" .. (""):rep(n, "-") .. "]") end
print(("x"):rep(3, ""), ("x"):rep(1, "sep"), pcall(string.rep, "x", 1e100), pcall(string.rep, "x", 2^31, "y"))
print(#"", #"abc", ("a\0b"):len(), string.len(123), pcall(string.len))
print(("Hello World 123 \200\255"):upper(), ("Hello World 123 \200\255"):lower(), ("abc\0def"):reverse():byte(1, -1))
print(string.upper(12), string.lower(1.5), string.reverse(""), pcall(string.upper), pcall(string.lower, {}))

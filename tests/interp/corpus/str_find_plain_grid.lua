-- string.find with plain=true over subjects and needles containing pattern specials, at several init positions
local subj = {"", "a", "a.b", "%d%", "((x))", "[]^$", "aaa", "a+b*c?"}
local needles = {"", ".", "%", "a", "(", "]", "^", "$", "aa", "+b", "*c?", "zz"}
for _, s in ipairs(subj) do
  for _, n in ipairs(needles) do
    local r = {} for _, init in ipairs{1, 2, -1, 10} do local a, b = s:find(n, init, true) r[#r + 1] = tostring(a) .. ":" .. tostring(b) end
    print(string.format("%q %q", s, n), table.concat(r, " "))
  end
end

-- globals live in _ENV / _G
g1 = 10
print(g1, _G.g1, _ENV.g1)
_G.g2 = "set via _G"
print(g2)
print(undefined_global)
local function setg() g3 = 3 end
setg()
print(g3, rawget(_G, "g3"))

-- os.date: each strftime conversion 5.4 accepts, in UTC for fixed times
local times = {0, 86399, 951782400, 1700000000, 2147483647, -86400}
for _, c in ipairs{"a", "A", "b", "B", "c", "C", "d", "D", "e", "F", "g", "G", "h", "H", "I", "j", "m", "M", "n", "p", "r", "R", "S", "t", "T",
    "u", "U", "V", "w", "W", "x", "X", "y", "Y", "%", "Ec", "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe", "OH", "OI", "Om", "OM", "OS", "Ou", "OU", "OV", "Ow", "OW", "Oy"} do
  local row = {} for _, t in ipairs(times) do row[#row + 1] = os.date("!%" .. c, t) end print(c, table.concat(row, "|"))
end

-- bitwise operations on bad operands: non-integral floats, strings, tables, nil
local function try(f) print(select(2, pcall(f))) end
for _, op in ipairs{"&", "|", "~", "<<", ">>"} do
  try(load("return 1.5 " .. op .. " 1")) try(load("local a; return a " .. op .. " 1")) try(load("return '1.5' " .. op .. " 1"))
  try(load("return 'x' " .. op .. " 1")) try(load("local t = {}; return 1 " .. op .. " t.k")) try(load("return 2^63 " .. op .. " 1"))
end
try(function() return ~1.5 end) try(function() local a; return ~a end) try(function() return ~"3" end) try(function() return ~{} end)

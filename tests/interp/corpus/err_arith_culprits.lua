-- arithmetic on bad operands: which operand is named (local, upvalue, field, global, constant) for each operator
local function try(f) print(select(2, pcall(f))) end
local up = {}
for _, op in ipairs{"+", "-", "*", "/", "%", "^", "//"} do
  try(load("local a; return a " .. op .. " 1")) try(load("local a = {}; return 1 " .. op .. " a")) try(load("return x " .. op .. " 1"))
  try(load("local t = {}; return t.f " .. op .. " 2")) try(load("return 'a' " .. op .. " 1")) try(load("return {} " .. op .. " {}"))
end
try(function() return -up end) try(function() return up + 1 end) try(function() local s = "x"; return -s end) try(function() return -{} end)

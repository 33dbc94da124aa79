-- nested functions and upvalues across levels
local function level1()
  local a = 1
  local function level2()
    local b = 2
    local function level3() a = a + 10; return a + b end
    return level3
  end
  return level2(), function() return a end
end
local l3, geta = level1()
print(l3(), l3(), geta())

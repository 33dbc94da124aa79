-- a label inside a function does not clash with a label of the enclosing block
do
  goto l1
  ::l1::
  local function f()
    local n = 0
    ::l1::
    n = n + 1
    if n < 3 then goto l1 end
    return n
  end
  print(f())
  local g = function() do goto l1 end ::l1:: return "g" end
  print(g())
end
::l3::
print((function() ::l3:: return "inner l3" end)())
-- a label in an inner block may reuse the name of a later label of the enclosing block
local function testG(a)
  if a == 4 then
    goto l1
    ::l1:: a = a + 1
  else
    goto l1
  end
  do return a end
  ::l1:: return "1"
end
print(testG(4), testG(1))

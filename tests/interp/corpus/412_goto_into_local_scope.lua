-- a forward goto may not jump into the scope of a local, except to a label that ends the block
local function check(code)
  local f, msg = load(code)
  print(f == nil, msg and string.match(msg, "jumps into the scope of local '%w+'"))
end
check([[ goto l1; local aa ::l1:: ::l2:: print(3) ]])
check([[ do local bb, cc; goto l1; end; local aa; ::l1:: print(3) ]])
check([[ repeat if x then goto cont end local xuxu = 10 ::cont:: until xuxu < x ]])
check([[ do goto l1; local aa ::l1:: ::l2:: end ]])
check([[ goto l1 local x = 1 print(x) ::l1:: ]])
check([[ ::l1:: do ::l1:: end ]])

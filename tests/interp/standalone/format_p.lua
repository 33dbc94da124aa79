-- string.format("%p"): the address of a reference value, "(null)" for the others
local null = "(null)"
print(string.format("%p", 4) == null, string.format("%p", true) == null, string.format("%p", nil) == null)
print(string.format("%p", {}) ~= null, string.format("%p", print) ~= null, string.format("%p", io.stdin) ~= null)
print(string.format("%p", coroutine.running()) ~= null)
print(string.format("%p", io.stdin) == string.format("%p", io.stdin))
print(string.format("%p", print) == string.format("%p", print), string.format("%p", print) ~= string.format("%p", assert))
print(#string.format("%90p", {}), #string.format("%-60p", {}))
print(string.format("%10p", false), string.format("%-12p", 1.5) .. "|")
local t1, t2 = {}, {}
print(string.format("%p", t1) ~= string.format("%p", t2))
print(string.format("%p", string.rep("a", 10)) == string.format("%p", string.rep("aa", 5)))
local l1, l2 = string.rep("a", 300), string.rep("a", 300)
print(string.format("%p", l1) ~= string.format("%p", l2))

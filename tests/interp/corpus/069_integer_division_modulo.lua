-- floor division and modulo semantics incl. errors
print(7 // 2, -7 // 2, 7 // -2, -7 // -2, 7 % 2, -7 % 2, 7 % -2, -7 % -2)
print(7.0 // 2, -7.0 // 2, 7 % 2.5, -7 % 2.5, 0.0 / 0 ~= 0.0 / 0)
print(pcall(function() return 1 // 0 end))
print(pcall(function() return 1 % 0 end))
print(1 // 0.0, -1 // 0.0, math.mininteger // -1, math.mininteger % -1)

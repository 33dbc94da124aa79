-- comparison operators on numbers and strings
print(1 < 2, 2 <= 2, 3 > 4, 4 >= 4, 1 == 1, 1 ~= 1)
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "a", "a" <= "a")
print(1 < 1.5, 2^53 == 2^53 + 1, math.maxinteger < math.huge, -math.huge < math.mininteger)
print(1 == "1", "1" == 1, nil == false, {} == {})
print(pcall(function() return 1 < "2" end))
print(pcall(function() return {} < {} end))
print(pcall(function() return nil < 1 end))

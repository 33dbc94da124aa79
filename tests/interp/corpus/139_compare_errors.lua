-- comparison errors between mixed types
print(pcall(function() return {} < 1 end))
print(pcall(function() return "a" < {} end))
print(pcall(function() return true < false end))
print(pcall(function() return nil <= nil end))

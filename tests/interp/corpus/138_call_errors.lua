-- calling non-functions reports the type
print(pcall(function() local x = 5; x() end))
print(pcall(function() local t = {}; t.field() end))
print(pcall(function() ("str")() end))
print(pcall(function() local t = {}; t:nomethod() end))

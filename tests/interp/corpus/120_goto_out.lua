-- goto jumping out of a deeply nested loop
local found
for i = 1, 10 do
  for j = 1, 10 do
    for k = 1, 10 do
      if i + j + k == 25 then found = {i, j, k}; goto out end
    end
  end
end
::out::
print(found[1], found[2], found[3])

-- goto in nested blocks and loops with labels at end
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto next_j end
    print(i, j)
    ::next_j::
  end
end

-- math.fmod on integers (zero divisor error, -1, mininteger) and floats (C fmod semantics)
for _, p in ipairs{{7, 3}, {-7, 3}, {7, -3}, {-7, -3}, {0, 5}, {math.mininteger, -1}, {math.mininteger, 3}, {math.maxinteger, 2}, {7.5, 2},
    {-7.5, 2}, {7, 2.5}, {1, 1/0}, {-1, -1/0}, {5, 0.0}, {1/0, 2}, {0.0, 1}, {-0.0, 1}, {"7", "3"}, {6, 3}} do
  print(p[1], p[2], pcall(math.fmod, p[1], p[2]))
end
print(pcall(math.fmod, 1, 0)); print(pcall(math.fmod, 1)); print(pcall(math.fmod, nil, 1)); print(pcall(math.fmod, 1, "x"))

-- math.min/max (Lua comparison, mixed int/float, strings, errors) and math.ult
print(math.max(1, 2, 3), math.min(1, 2, 3), math.max(1, 2.0), math.max(2.0, 2), math.min(2, 2.0), math.max(-0.0, 0), math.min(0, -0.0))
print(math.max(3), math.min(-1/0, 1/0), math.max("a", "c", "b"), math.max(math.mininteger, math.maxinteger), math.type(math.max(1, 1.0)))
print(pcall(math.max), pcall(math.min), pcall(math.max, 1, "2"), pcall(math.min, {}, {}), pcall(math.max, 1, nil))
for _, p in ipairs{{1, 2}, {2, 1}, {-1, 1}, {1, -1}, {0, math.mininteger}, {math.maxinteger, math.mininteger}, {-1, -2}, {3, 3}} do print(p[1], p[2], math.ult(p[1], p[2])) end
print(pcall(math.ult, 1.5, 1), pcall(math.ult, 1), pcall(math.ult, "1", "2"), math.ult(1.0, 2))

-- math.log with and without bases (2, 10, e, others), zero, negatives, infinities
for _, x in ipairs{1, 2, 8, 10, 100, 1000, 0.5, 0, -1, 1/0, 2^60} do
  print(x, math.log(x), math.log(x, 2), math.log(x, 10), math.log(x, 3), math.log(x, math.exp(1)), math.log(x, 1), math.log(x, 0.5))
end
print(pcall(math.log), pcall(math.log, "x"), pcall(math.log, 1, "y"), math.log("8", "2"))

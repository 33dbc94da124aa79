-- __call makes tables callable with arguments
local counter = setmetatable({n = 0}, {__call = function(self, inc) self.n = self.n + (inc or 1); return self.n end})
print(counter(), counter(5), counter.n)
print(pcall(setmetatable({}, {}), 1))

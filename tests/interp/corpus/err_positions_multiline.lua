-- error positions: errors in multi-line statements, functions defined on later lines, main chunk vs functions
local function f()
  local t = nil
  return t.x
end
print(pcall(f))
local ok, e = pcall(function()
  error("line 8")
end) print(e)
print(pcall(load("\n\nerror('third')", "=chunk")))
print(pcall(load("local x = 1\nx()", "@file.lua")))
print(pcall(load("return nil + 1", "a very long chunk name that will be shortened because it is long enough")))
print(pcall(load("error('x')")))
print(pcall(load("error('x')", "=")))

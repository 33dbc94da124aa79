-- string.format %s: widths, precisions, '-' flag, __tostring and __name, long strings, embedded zeros
local mt = {__tostring = function(t) return "T(" .. t.v .. ")" end}
local vals = {"", "a", "hello", "hello world, long enough", 12, 1.5, true, nil, setmetatable({v = 1}, mt)}
for _, s in ipairs{"%s", "%5s", "%-5s", "%.2s", "%10.3s", "%-10.3s", "%.0s", "%99s", "%.99s", "%-1s"} do
  local row = {}
  for i = 1, 9 do row[#row + 1] = "[" .. string.format(s, vals[i]) .. "]" end
  print(s, table.concat(row, " "))
end
print(string.format("%s", string.rep("ab", 100)) == string.rep("ab", 100), #string.format("%5s", string.rep("x", 200)))
print(pcall(string.format, "%5s", "a\0b"), #string.format("%s", "a\0b"))
print(string.format("%s", setmetatable({}, {__name = "MyType"})):match("^MyType: ") ~= nil)
print(pcall(string.format, "%s", setmetatable({}, {__tostring = function() return 1 end})))
print(pcall(string.format, "%s", setmetatable({}, {__tostring = function() return {} end})))
print(pcall(string.format, "%s"))

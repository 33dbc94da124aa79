-- pcall/xpcall: results, handlers receiving the message, errors in handlers, extra arguments, non-callables
print(pcall(function(...) return ... end, 1, 2, 3)) print(pcall(pcall, error, "x")) print(pcall(nil)) print(pcall({}))
print(xpcall(function() error("e1") end, function(m) return "handled: " .. m end))
print(xpcall(function(a, b) return a + b end, print, 2, 3))
print(xpcall(function() error({code = 7}) end, function(e) return e.code end))
print(xpcall(function() error("e2") end, function(m) error("in handler") end))
print(xpcall(function() local x = nil + 1 end, function(m) return (m:gsub("^.-:%d+: ", "")) end))
print(pcall(xpcall)) print(pcall(xpcall, print)) print(select("#", pcall(error)))

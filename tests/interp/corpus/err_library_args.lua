-- library argument errors: 'bad argument #n to name (x expected, got y/no value)' across libraries
local function try(f, ...) print(select(2, pcall(f, ...))) end
try(string.rep) try(string.rep, "x") try(string.rep, "x", nil) try(string.sub) try(string.upper, nil) try(string.byte, {}) try(string.char, nil)
try(table.insert, 1, 2) try(table.concat, nil) try(table.unpack, {}, "a") try(table.remove, 5) try(table.move, {}) try(table.sort, 1)
try(math.floor) try(math.floor, "a") try(math.max) try(math.abs, nil) try(math.random, "x") try(math.fmod, 1) try(math.tointeger)
try(setmetatable, 1) try(setmetatable, {}) try(setmetatable, {}, 1) try(getmetatable) try(rawget, 1) try(rawset, {}, nil, 1) try(rawlen, 5)
try(rawequal, 1) try(select) try(select, 0) try(select, -2, 1) try(tonumber) try(tonumber, 1, 2) try(ipairs) try(pairs) try(next, 1) try(type)
try(utf8.char, "x") try(utf8.len) try(os.date, {}) try(os.time, 1) try(load) try(error) try(assert) try(pcall) try(xpcall, print)

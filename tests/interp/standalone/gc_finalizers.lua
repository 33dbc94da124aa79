-- __gc: finalizers run at collectgarbage(), last marked first; resurrection; marking again
local log = {}
local mt = {__gc = function(o) log[#log + 1] = o.n end}
local function make(n) setmetatable({n = n}, mt) end
local function collect() collectgarbage() end
make(1) make(2) make(3)
collect()
print(table.concat(log, " "))

-- a table is marked only if its metatable has __gc when setmetatable is called
log = {}
local late = {}
local function make_late() setmetatable({n = "late"}, late) end
make_late()
late.__gc = mt.__gc
collect()
print(#log)

-- the finalizer gets the object, which lives on if it keeps it; it is not finalized twice
local saved
local function make_saved() setmetatable({n = 10}, {__gc = function(o) saved = o end}) end
make_saved()
collect()
print(saved.n)
local function drop() saved = nil end
drop()
collect()
print(saved)

-- setmetatable in a finalizer marks the object again
local count = 0
local remark = {}
remark.__gc = function(o)
  count = count + 1
  if count < 3 then setmetatable(o, remark) end
end
local function make_remark() setmetatable({}, remark) end
make_remark()
for i = 1, 5 do collect() end
print(count)

-- the __gc of the metatable at collection time runs; collectgarbage does nothing inside one
local res = "none"
local changing = {__gc = function() end}
local function make_changing() setmetatable({}, changing) end
make_changing()
changing.__gc = function(o) res = collectgarbage() end
collect()
print(res)

-- an error in a finalizer is a warning (warnings are off: nothing shows)
local function make_bad() setmetatable({}, {__gc = function() error("in finalizer") end}) end
make_bad()
collect()
print("still running")
local function make_nonfunc() setmetatable({}, {__gc = true}) end
make_nonfunc()
collect()
print("done")

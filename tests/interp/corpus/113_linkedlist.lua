-- closures as iterators over a linked list
local list = nil
for i = 1, 4 do list = {value = i, next = list} end
local function iter(l) return function() if l then local v = l.value; l = l.next; return v end end end
for v in iter(list) do io_out = (io_out or "") .. v end
print(io_out)

-- string split and join helpers
local function split(s, sep) local out = {} for piece in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = piece end return out end
local parts = split("a,b,,c", ",")
print(#parts, table.concat(parts, "|"))

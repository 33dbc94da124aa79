-- multiple results adjust in calls, tables and parentheses
local function three() return 1, 2, 3 end
print(three())
print(three(), 10)
print(({three()})[3], #{three(), three()})
print((three()))
local t = {three(), three()}
print(#t)
local function none() end
print(none())
print((none()))
print(select('#', none()), select('#', (none())))

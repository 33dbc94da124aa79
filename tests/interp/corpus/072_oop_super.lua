-- calling overridden methods of a base class
local Base = {} Base.__index = Base
function Base:describe() return "base:" .. self.id end
local Derived = setmetatable({}, {__index = Base}) Derived.__index = Derived
function Derived:describe() return "derived(" .. Base.describe(self) .. ")" end
local o = setmetatable({id = 7}, Derived)
print(o:describe())

-- a to-be-closed value whose __close went away (or became a non-function) before closing
local function removed()
  local y <close> = setmetatable({}, {__close = print})
  getmetatable(y).__close = nil
end
local ok, msg = pcall(removed)
print(ok, (string.gsub(msg, "^.-:%d+: ", "")))
local function number()
  local y <close> = setmetatable({}, {__close = print})
  getmetatable(y).__close = 3
end
ok, msg = pcall(number)
print(ok, (string.gsub(msg, "^.-:%d+: ", "")))
local function callable()
  local y <close> = setmetatable({}, {__close = print})
  getmetatable(y).__close = setmetatable({}, {__call = function(self, v, e) print("called", e) end})
end
print(pcall(callable))

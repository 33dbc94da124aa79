-- error messages with levels in nested functions
local function check(x) if type(x) ~= "number" then error("expected number", 2) end return x end
local function api(v) return check(v) end
print(pcall(api, "str"))
print(pcall(check, "direct"))

-- The sandbox policy: what handlers see, the check-ins, the limits. Every engine runs this file once
-- in each new state, with the state's full standard globals, and drives the state with the
-- functions it returns. It must run unchanged on LuaJIT, PUC Lua 5.1 to 5.5 and petrel.lua_interp.
--
-- Service code only ever sees `env`: a table whose reads and writes go to the current request's
-- overlay, whose misses go to `base` (the restricted globals and what the service files defined at
-- load time).
--
-- Check-ins: the engine makes Lua code call `checkin` at loop back-edges and function entries
-- (lupa rewrites the source, lua_interp's compiler has its own interrupt counter), about every
-- thousand of them. A check-in ends the time slice (yields to the engine's driver, so other
-- requests run) and stops the code past `lua.timeout` or `lua.max-memory`. A stop is an error
-- whose value is STOP; pcall and xpcall hand it on, so the handler cannot catch it.
--
-- The engine passes `hooks`:
--   read_module(name) -> text, chunkname     the file `require(name)` loads, or nil
--   instrument(text, chunkname) -> text      source with check-ins (nil: the engine checks in itself)
--   clock() -> seconds                       CPU time of the code running now (default os.clock)
--   memory() -> KiB                          memory of this state (default collectgarbage("count"))
--   entropy() -> integer                     a fresh random seed (default: from the clocks)
--   preempt()                                end the time slice where no coroutine can yield
--                                            (nil: the handler's coroutine yields to the driver)
--   threaded                                 true: handlers are called directly, not in coroutines

local hooks, timeout_ms, max_memory_mib = ...

local type, error, select, pairs, ipairs, next, tostring, tonumber = type, error, select, pairs, ipairs, next,
    tostring, tonumber
local setmetatable, getmetatable = setmetatable, getmetatable
local rawget, rawset, rawequal = rawget, rawset, rawequal
local pcall, xpcall = pcall, xpcall
local coroutine = coroutine
local debug = debug
local unpack = table.unpack or unpack
local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local load, loadstring, setfenv = load, loadstring, setfenv
local sbyte, sfind, srep, sgsub, ssub, tconcat = string.byte, string.find, string.rep, string.gsub,
    string.sub, table.concat
local floor, huge = math.floor, math.huge
local collectgarbage = collectgarbage
local is51 = setfenv ~= nil

local clock = hooks.clock or os.clock
local memory = hooks.memory or function() return collectgarbage("count") end
local threaded = hooks.threaded
local getinfo = debug and debug.getinfo
local traceback = debug and debug.traceback

-- ---------------------------------------------------------------------------------------------
-- Limits and check-ins

local SLICE = 0.002                          -- seconds of Lua execution before other requests run
local timeout = (timeout_ms or 0) / 1000     -- seconds per request, 0 = none
local max_kib = (max_memory_mib or 0) * 1024 -- KiB per state, 0 = none
local STOP = setmetatable({}, { __metatable = false, __tostring = function() return "limit" end })
local PREEMPT = {}
local ASYNC = {}

local slice_end, deadline = huge, huge
local gsub_nesting = 0   -- string.gsub calls in progress (see checked_gsub)
local stopped = nil      -- nil, or { kind = "timeout" | "memory", where = "chunk:line" }

local SELF = getinfo and getinfo(1, "S").source
local PATTERNS = "=petrel patterns"

local function where_now()
    if not getinfo then return nil end
    for level = 3, 3000 do   -- the pattern matcher's recursion may sit above the handler's frame
        local info = getinfo(level, "Sl")
        if not info then break end
        -- not the sandbox's own code, nor a library's Lua chunk ("=petrel json"): the service's line
        if info.currentline and info.currentline > 0 and info.source ~= SELF and info.source ~= PATTERNS
            and sfind(info.source, "=petrel ", 1, true) ~= 1 then
            return info.short_src .. ":" .. info.currentline
        end
    end
    return nil
end

local function stop(kind)
    if not stopped then stopped = { kind = kind, where = where_now() } end
    error(STOP, 0)
end

local function over_memory(extra)
    if max_kib == 0 then return false end
    local used = memory() + (extra or 0) / 1024
    if used <= max_kib then return false end
    collectgarbage("collect")
    return memory() + (extra or 0) / 1024 > max_kib
end

-- Can the running code yield to the driver here? Not inside a callback from C (string.gsub,
-- table.sort), nor inside a metamethod or pcall on Lua 5.1.
local yieldable
if threaded then
    yieldable = function() return false end
elseif coroutine.isyieldable then
    yieldable = coroutine.isyieldable
elseif not is51 then
    yieldable = nil   -- Lua 5.2: try the yield under pcall (yieldable there), see below
else
    -- Lua 5.1 and LuaJIT 2.0: only when every frame between here and the coroutine's base is a Lua
    -- function called by Lua; a frame called from C or as a metamethod has no name.
    yieldable = function()
        for level = 2, 200 do   -- deeper stacks are taken as not yieldable: the walk stays cheap
            local info = getinfo(level, "Sn")
            if not info then return true end
            if info.what == "C" then return false end
            local below = getinfo(level + 1, "S")
            if below and (info.namewhat == "" or info.what == "tail") then return false end
        end
        return false
    end
end

local function checkin()
    if stopped then error(STOP, 0) end
    local now = clock()
    if now >= deadline then stop("timeout") end
    if max_kib > 0 and memory() > max_kib and over_memory(0) then stop("memory") end
    if now >= slice_end then
        -- Where the slice cannot end (no coroutine can yield here), the next try is a slice later.
        slice_end = now + SLICE
        if hooks.preempt then
            hooks.preempt()
        elseif yieldable == nil then
            pcall(coroutine.yield, PREEMPT)
        elseif yieldable() then
            coroutine.yield(PREEMPT)
        end
    end
    return 0
end

-- The handler's pcall and xpcall: a stop goes through them; the message handler does not see it.
local function rethrow(nesting, ok, ...)
    if not ok then
        gsub_nesting = nesting   -- the error left the gsub calls it came through
        local err = ...
        if stopped or rawequal(err, STOP) then error(STOP, 0) end
        if err == "not enough memory" and max_kib > 0 then
            stopped = stopped or { kind = "memory", where = where_now() }
            error(STOP, 0)
        end
    end
    return ok, ...
end

local function safe_pcall(f, ...)
    local nesting = gsub_nesting
    return rethrow(nesting, pcall(f, ...))
end

local function safe_xpcall(f, handler, ...)
    local function guarded(err)
        if stopped or rawequal(err, STOP) then return STOP end
        return handler(err)
    end
    local nesting = gsub_nesting
    return rethrow(nesting, xpcall(f, guarded, ...))
end

-- Functions that allocate a result in one go are checked before they run.
local function checked_rep(s, n, sep)
    local count = tonumber(n)
    if count and count > 0 and (type(s) == "string" or type(s) == "number") then
        local unit = #tostring(s) + ((type(sep) == "string" or type(sep) == "number") and #tostring(sep) or 0)
        if unit == 0 then return "" end   -- C would still loop count times
        if over_memory(unit * floor(count)) then stop("memory") end
    end
    return srep(s, n, sep)
end

local function checked_concat(t, sep, i, j)
    if max_kib > 0 and type(t) == "table" then
        local total, first, last = 0, i or 1, j or #t
        local seplen = type(sep) == "string" and #sep or 0
        local k = first
        while k <= last do
            local v = rawget(t, k)
            if type(v) ~= "string" and type(v) ~= "number" then break end
            total = total + #tostring(v) + seplen
            if total > 65536 and over_memory(total) then stop("memory") end
            k = k + 1
        end
    end
    return tconcat(t, sep, i, j)
end

-- A string.gsub callback that calls string.gsub nests C calls: on LuaJIT deep enough nesting
-- overflows the C stack, so callbacks in progress are counted and bounded. One gsub can also build
-- a large result in one C call; where that may pass the memory limit, the limit is checked as
-- soon as it returns (LuaJIT has no allocator limit to stop it earlier). Otherwise gsub is
-- tail-called, so its own errors name the handler's line.
local MAX_GSUB_NESTING = 100

local function gsub_checked_result(...)
    if over_memory(0) then stop("memory") end
    return ...
end

local function callback_done(...)
    gsub_nesting = gsub_nesting - 1
    return ...
end

-- string.gsub with a function, in Lua: the matching stays in C (string.find, one call per match),
-- the callback is called from Lua, so it can yield at the end of a time slice. It follows the
-- runtime's own rule for an empty match right after a match (Lua 5.3 and later skip it).
local skips_empty_after_match = sgsub("abc", "%w*", "-") == "-"

local function lua_gsub(s, pattern, callback, max_n)
    local text, pat = tostring(s), tostring(pattern)
    local anchor = sbyte(pat, 1) == 94   -- '^'
    local len = #text
    local limit = max_n ~= nil and floor(tonumber(max_n)) or len + 1
    local out, o = {}, 0
    local src, n, lastmatch = 1, 0, nil
    while n < limit do
        local found = pack(pcall(sfind, text, pat, src))
        if not found[1] then error(found[2], 2) end   -- a malformed pattern, named at the caller
        local b, e = found[2], found[3]
        if b == nil then break end
        if b > src then o = o + 1; out[o] = ssub(text, src, b - 1) end
        src = b
        if e < b and b == lastmatch and skips_empty_after_match then
            if b > len then break end
            o = o + 1; out[o] = ssub(text, b, b)   -- the empty match where the last one ended
            src = b + 1
        else
            n = n + 1
            gsub_nesting = gsub_nesting + 1
            local value
            if found.n > 3 then
                value = callback(unpack(found, 4, found.n))
            else
                value = callback(ssub(text, b, e))
            end
            gsub_nesting = gsub_nesting - 1
            local kind = type(value)
            if value == nil or value == false then
                value = ssub(text, b, e)
            elseif kind ~= "string" and kind ~= "number" then
                error("invalid replacement value (a " .. kind .. ")", 2)
            end
            o = o + 1; out[o] = value
            if e >= b then
                src, lastmatch = e + 1, e + 1
            elseif skips_empty_after_match then
                lastmatch = b
            else
                if b > len then break end
                o = o + 1; out[o] = ssub(text, b, b)
                src = b + 1
            end
        end
        if anchor then break end
    end
    if src <= len then o = o + 1; out[o] = ssub(text, src) end
    return tconcat(out), n
end

-- Matching whose worst case would hold the event loop in one C call (a backtracking pattern on a
-- long enough subject) runs in patterns.lua, which checks in; the engine passes it where its string
-- library has no check-ins of its own.
local lua_patterns = hooks.patterns and hooks.patterns(checkin, getinfo)
local costly = lua_patterns and lua_patterns.costly
local MAX_POSITION = 2 ^ 53

local function pattern_text(v)   -- the string C would see, or nil: C handles the call
    local kind = type(v)
    if kind == "string" then return v end
    if kind == "number" then return tostring(v) end
    return nil
end

local function plain_position(v)   -- nil, or a number C reads as that integer
    return v == nil or (type(v) == "number" and v == floor(v) and v > -MAX_POSITION and v < MAX_POSITION)
end

-- PUC Lua runs a C function that a Lua function tail-calls in that function's frame: C's error
-- message would name the line of the sandbox's wrapper instead of the handler's. The wrappers that
-- hand a call on to C relay its errors through pcall there, so they name the handler's line.
local relay_c_errors = not not sfind(select(2, pcall(function(...) return sfind(...) end, "a", "[")), ":%d+: ")
local RELAY_LEVEL = is51 and 3 or 2   -- Lua 5.1 counts the tail call as a level of its own
local function relay(ok, ...)
    if ok then return ... end
    error((...), RELAY_LEVEL)
end

local function checked_gsub(s, pattern, repl, n)
    local kind = type(repl)
    if costly then
        local text, pat = pattern_text(s), pattern_text(pattern)
        if text and pat and plain_position(n) and costly(text, pat)
            and (kind == "string" or kind == "number" or kind == "table" or kind == "function") then
            local where = lua_patterns.where(1)
            if kind == "number" then
                repl = tostring(repl)
            elseif kind == "function" then
                if gsub_nesting >= MAX_GSUB_NESTING then error("string.gsub nested too deeply", 2) end
                local callback = repl
                repl = function(...)
                    gsub_nesting = gsub_nesting + 1
                    return callback_done(callback(...))
                end
            end
            return lua_patterns.gsub(where, text, pat, repl, n)
        end
    end
    if kind == "function" then
        if gsub_nesting >= MAX_GSUB_NESTING then error("string.gsub nested too deeply", 2) end
        local ks, kp = type(s), type(pattern)
        if not threaded and (ks == "string" or ks == "number") and (kp == "string" or kp == "number")
            and (n == nil or tonumber(n) ~= nil) then
            return lua_gsub(s, pattern, repl, n)
        end
        local callback = repl
        repl = function(...)
            gsub_nesting = gsub_nesting + 1
            return callback_done(callback(...))
        end
    elseif max_kib > 0 and (kind == "string" or kind == "number") and type(s) == "string" then
        local text = tostring(repl)
        local bound = #s * (#text + 1)
        if bound > 1048576 and memory() + bound / 1024 > max_kib then
            if not sfind(text, "%", 1, true) then
                -- The result's size exactly, from a pass that replaces every match by nothing.
                local rest, matches = sgsub(s, pattern, "", n)
                if over_memory(#rest + matches * #text) then stop("memory") end
            end
            return gsub_checked_result(sgsub(s, pattern, repl, n))
        end
    end
    if relay_c_errors then return relay(pcall(sgsub, s, pattern, repl, n)) end
    return sgsub(s, pattern, repl, n)
end

local randomseed = math.randomseed
local reseed_at_end = false

local function fresh_seed()
    reseed_at_end = false
    randomseed(hooks.entropy and hooks.entropy() or os.time() + floor((clock() * 1e6) % 1e6))
end

-- ---------------------------------------------------------------------------------------------
-- The environment

local base = {}
local overlay_mt = { __index = base, __metatable = false }
local env_mt = { __metatable = false, __index = base, __newindex = base }
local env = setmetatable({}, env_mt)
local current = base
base._G = env

-- Tables no handler may write, not even raw: the library proxies and the globals proxy.
local protected = setmetatable({}, { __mode = "k" })
protected[env] = "_G"

local function readonly(t, name)
    local fields = {}
    for k, v in pairs(t) do fields[k] = v end
    local mt = {
        __index = fields,
        __newindex = function(_, k)
            error("attempt to modify read-only table '" .. name .. "' (field '" .. tostring(k) .. "')", 2)
        end,
        -- The iterator closes over the fields: pairs() must not hand the table itself out.
        __pairs = function(proxy)
            return function(_, k) return next(fields, k) end, proxy, nil
        end,
        __metatable = false,
    }
    local proxy = setmetatable({}, mt)
    protected[proxy] = name
    return proxy, fields, mt
end

local function refuse_protected(t, fname)
    local name = protected[t]
    if name then
        error("bad argument #1 to '" .. fname .. "' (the table '" .. name .. "' cannot be changed)", 3)
    end
end

-- Base functions. rawget/rawset on _G act on the request's globals like an ordinary access would,
-- so a request cannot reach past its overlay into the state that outlives it.
for _, name in ipairs({ "pairs", "ipairs", "next", "select", "type", "tostring", "tonumber", "error",
    "assert", "rawequal", "getmetatable", "unpack" }) do
    base[name] = _G[name]
end
base.unpack = base.unpack or table.unpack
-- tostring calls __tostring from C, where PUC Lua cannot yield; calling it from Lua keeps the time
-- slices (LuaJIT yields there already). The result is what C's tostring gives.
if not threaded and not jit and debug and debug.getmetatable then
    local dgetmetatable = debug.getmetatable
    local converts = tostring(setmetatable({}, { __tostring = function() return 1 end })) == "1"
    base.tostring = function(...)
        local v = ...
        local mt = select("#", ...) > 0 and dgetmetatable(v)
        local method = type(mt) == "table" and rawget(mt, "__tostring")
        if not method then return tostring(...) end
        local text = method(v)
        if converts then
            local kind = type(text)
            if kind ~= "string" and kind ~= "number" then error("'__tostring' must return a string", 2) end
            return tostring(text)
        end
        return text
    end
end
base.pcall = safe_pcall
base.xpcall = safe_xpcall
base.setmetatable = function(t, mt)
    -- A finalizer would run at a moment no request owns (and outside every limit).
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("bad argument #2 to 'setmetatable' (__gc metamethods are not available to handlers)", 2)
    end
    return setmetatable(t, mt)
end
base.rawget = function(t, k)
    if rawequal(t, env) then
        local v = rawget(current, k)
        if v == nil and current ~= base then v = rawget(base, k) end
        return v
    end
    return rawget(t, k)
end
base.rawset = function(t, k, v)
    if rawequal(t, env) then rawset(current, k, v) return t end
    refuse_protected(t, "rawset")
    return rawset(t, k, v)
end
base.rawlen = rawlen or function(v)
    local kind = type(v)
    if kind ~= "table" and kind ~= "string" then
        error("table or string expected", 2)
    end
    return #v
end
base._VERSION = _VERSION

-- The standard libraries, read-only: a request cannot change them for the next one.
local string_fields
base.string, string_fields = readonly(string, "string")
string_fields.dump = nil
string_fields.rep = checked_rep
string_fields.gsub = checked_gsub
if costly then
    local cfind, cmatch, cgmatch = string.find, string.match, string.gmatch
    string_fields.find = function(s, pattern, init, plain)
        if not plain then
            local text, pat = pattern_text(s), pattern_text(pattern)
            if text and pat and plain_position(init) and costly(text, pat) then
                return lua_patterns.find(lua_patterns.where(1), text, pat, init)
            end
        end
        if relay_c_errors then return relay(pcall(cfind, s, pattern, init, plain)) end
        return cfind(s, pattern, init, plain)
    end
    string_fields.match = function(s, pattern, init)
        local text, pat = pattern_text(s), pattern_text(pattern)
        if text and pat and plain_position(init) and costly(text, pat) then
            return lua_patterns.match(lua_patterns.where(1), text, pat, init)
        end
        if relay_c_errors then return relay(pcall(cmatch, s, pattern, init)) end
        return cmatch(s, pattern, init)
    end
    string_fields.gmatch = function(s, pattern, init)
        local text, pat = pattern_text(s), pattern_text(pattern)
        if text and pat and plain_position(init) and costly(text, pat) then
            return lua_patterns.gmatch(lua_patterns.where(1), text, pat, init)
        end
        if relay_c_errors then return relay(pcall(cgmatch, s, pattern, init)) end
        return cgmatch(s, pattern, init)
    end
end
local table_fields
base.table, table_fields = readonly(table, "table")
table_fields.concat = checked_concat
if not table_fields.unpack then table_fields.unpack = unpack end
-- On Lua 5.1, 5.2 and LuaJIT these write raw, past the proxies' __newindex.
for _, fname in ipairs({ "insert", "remove" }) do
    local f = table[fname]
    table_fields[fname] = function(t, ...)
        refuse_protected(t, fname)
        return f(t, ...)
    end
end
-- table.sort with a comparator sorts in Lua (a merge sort), so the comparator is called from Lua:
-- it can yield at the end of a time slice, where C's sort would hold every other request until it
-- returned. Without a comparator C's sort calls no Lua code.
local tsort = table.sort

local function merge_sort(a, tmp, lo, hi, less)
    if hi - lo < 1 then return end
    local mid = floor((lo + hi) / 2)
    merge_sort(a, tmp, lo, mid, less)
    merge_sort(a, tmp, mid + 1, hi, less)
    if not less(a[mid + 1], a[mid]) then return end   -- already in order
    for k = lo, mid do tmp[k] = a[k] end
    local i, j, k = lo, mid + 1, lo
    while i <= mid and j <= hi do
        if less(a[j], tmp[i]) then
            a[k] = a[j]; j = j + 1
        else
            a[k] = tmp[i]; i = i + 1
        end
        k = k + 1
    end
    while i <= mid do a[k] = tmp[i]; i = i + 1; k = k + 1 end
end

table_fields.sort = function(t, less)
    refuse_protected(t, "sort")
    if less == nil or type(t) ~= "table" then return tsort(t, less) end
    if type(less) ~= "function" then
        error("bad argument #2 to 'sort' (function expected, got " .. type(less) .. ")", 2)
    end
    local n = #t
    local a = {}
    for i = 1, n do a[i] = t[i] end
    merge_sort(a, {}, 1, n, less)
    for i = 1, n do t[i] = a[i] end
end

if table.move then
    local move = table.move
    table_fields.move = function(a1, f, e, t, a2)
        refuse_protected(a2 == nil and a1 or a2, "move")
        return move(a1, f, e, t, a2)
    end
end
local math_fields
base.math, math_fields = readonly(math, "math")
math_fields.randomseed = function(...)
    reseed_at_end = true   -- a seed is the request's own: the next request must not inherit it
    return randomseed(...)
end
base.os = readonly({ time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }, "os")
if utf8 then base.utf8 = readonly(utf8, "utf8") end
if bit then base.bit = readonly(bit, "bit") end
-- Methods such as ("x"):upper() look in the same fields (string.dump is not among them), and the
-- string metatable is out of reach.
local string_mt = (debug and debug.getmetatable or getmetatable)("")
string_mt.__metatable = false
string_mt.__index = string_fields

-- ---------------------------------------------------------------------------------------------
-- Loading code: text only, always into env, with the check-ins.

local function load_text(text, chunkname)
    if sbyte(text, 1) == 27 then
        return nil, chunkname:sub(2) .. ": binary chunks are not allowed"
    end
    local wrapped = false
    if hooks.instrument then
        local rewritten, err = hooks.instrument(text, chunkname)
        if not rewritten then return nil, err end
        text, wrapped = rewritten, true
    end
    local fn, err
    if is51 then
        fn, err = loadstring(text, chunkname)
        if fn then setfenv(fn, env) end
    else
        fn, err = load(text, chunkname, "t", env)
    end
    if fn and wrapped then
        -- The instrumented chunk is `local check = ... return function(...) <chunk> end`.
        fn = fn(checkin)
    end
    return fn, err
end

local loaded = {}
local sealed, seal_from   -- see "Load-time tables" below
base.require = function(name)
    if type(name) ~= "string" then
        error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
    end
    local cached = loaded[name]
    if cached ~= nil then return cached end
    local text, chunkname = hooks.read_module(name)
    if not text then
        error("module '" .. name .. "' not found under lua.root", 2)
    end
    local fn, err = load_text(text, chunkname)
    if not fn then error(err, 2) end
    local result = fn(name)
    if result == nil then result = true end
    loaded[name] = result
    if sealed then seal_from(result) end
    return result
end

-- ---------------------------------------------------------------------------------------------
-- Libraries. An async library function yields ASYNC to the engine's driver, which awaits the
-- Python coroutine and resumes with (ok, results...); a threaded engine calls it directly.

local handles = setmetatable({}, { __mode = "k" })
local serials = setmetatable({}, { __mode = "k" })   -- what tostring(obj) shows: no Python repr
local serial = 0

local function new_object(class, handle)
    local obj = setmetatable({}, class)
    handles[obj] = handle
    serial = serial + 1
    serials[obj] = serial
    return obj
end

-- What a library function returned: true and its results, false and a message, or (an engine
-- that makes the object here) the class of the one library object it returned and its handle.
local function check(ok, ...)
    if ok == true then return ... end
    if ok then return new_object(ok, ...) end
    error((...), 2)
end

local function sync_stub(py)
    return function(...) return check(py(...)) end
end

local function async_stub(py)
    if threaded then return sync_stub(py) end
    local co_yield = coroutine.yield
    return function(...) return check(co_yield(ASYNC, py, ...)) end
end

local function method_stub(name, py, is_async)
    local message = "calling '" .. name .. "' on bad self"
    if is_async and not threaded then
        local co_yield = coroutine.yield
        return function(self, ...)
            local h = handles[self]
            if h == nil then error(message, 2) end
            return check(co_yield(ASYNC, py, h, ...))
        end
    end
    return function(self, ...)
        local h = handles[self]
        if h == nil then error(message, 2) end
        return check(py(h, ...))
    end
end

local owned = setmetatable({}, { __mode = "k" })   -- the sandbox's own tables among the service's

local function make_class(name, methods)
    local index = {}
    for k, v in pairs(methods) do index[k] = v end
    owned[index] = true
    local class = {
        __index = index,
        __newindex = function(_, k)
            error("attempt to set field '" .. tostring(k) .. "' of a " .. name .. " object", 2)
        end,
        __tostring = function(self) return name .. ": " .. tostring(serials[self]) end,
        __name = name,
        __metatable = false,
    }
    owned[class] = true
    return class
end

-- Methods a library writes in Lua beside its Python ones (ObjectType.lua_methods): a chunk of the
-- library's own, run with the standard globals, that adds to or wraps what is in `methods`.
local function extend_class(methods, text, name)
    local chunkname = "=petrel " .. name
    local fn, err
    if is51 then fn, err = loadstring(text, chunkname) else fn, err = load(text, chunkname, "t") end
    if not fn then error(err, 0) end
    fn(methods)
end

local function install_library(name, functions, constructor, constants, as_table)
    if as_table then
        local lib = {}
        for k, v in pairs(functions) do lib[k] = v end
        for k, v in pairs(constants) do lib[k] = v end
        local proxy, _, mt = readonly(lib, name)
        if constructor then
            mt.__call = function(_, ...) return constructor(...) end
        end
        base[name] = proxy
    else
        for k, v in pairs(constants) do base[k] = v end
    end
end

local function install_global(name, fn)
    base[name] = fn
end

-- ---------------------------------------------------------------------------------------------
-- Running code. The server never runs handler code on its own behalf: errors and responses are
-- read with raw access, and an error object that is not a string or a number is named by its type.

local function error_text(err)
    local kind = type(err)
    if kind == "string" then return err end
    if kind == "number" then return tostring(err) end
    return "(error object is a " .. kind .. " value)"
end

local function stop_result(co)
    local s = stopped
    local message = s.kind == "timeout" and "timed out" or "out of memory"
    local trace = traceback and (co and traceback(co, message) or traceback(message, 2)) or ""
    return "limit", s.kind, s.where or "?", trace
end

local function begin_run()
    stopped = nil
    gsub_nesting = 0
end

-- Start a coroutine for fn(...); the returned step function resumes it and says what happened:
-- "done", n, results... | "error", message, traceback | "yield", n, py, args... | "preempt" |
-- "limit", kind, where, traceback.
local function start(fn, ...)
    local co_create, co_resume, co_status = coroutine.create, coroutine.resume, coroutine.status
    local co = co_create(fn)
    local args = pack(...)
    local first = true
    local used = 0
    local started
    local function step_result(ok, ...)
        used = used + (clock() - started)
        slice_end, deadline = huge, huge
        if not ok then
            if stopped then return stop_result(co) end
            local message = error_text((...))
            return "error", message, traceback(co, message)
        end
        if co_status(co) == "dead" then
            return "done", select("#", ...), ...
        end
        local token = ...
        if token == PREEMPT then return "preempt", 0 end
        if token ~= ASYNC then
            return "error", "unexpected yield", traceback(co, "unexpected yield")
        end
        return "yield", select("#", ...) - 1, select(2, ...)
    end
    return function(...)
        started = clock()
        slice_end = started + SLICE
        deadline = timeout > 0 and started + timeout - used or huge
        if first then
            first = false
            return step_result(co_resume(co, unpack(args, 1, args.n)))
        end
        return step_result(co_resume(co, ...))
    end
end

-- A threaded engine calls fn(...) directly: errors propagate to the engine as they are.
local function start_threaded(fn, ...)
    local args = pack(...)
    return function()
        local started = clock()
        slice_end = started + SLICE
        deadline = timeout > 0 and started + timeout or huge
        local results = pack(fn(unpack(args, 1, args.n)))
        slice_end, deadline = huge, huge
        return "done", results.n, unpack(results, 1, results.n)
    end
end

local run = threaded and start_threaded or start

-- Outside a request (loading files), a check-in cannot yield; the timeout still applies.
local function guarded_call(fn, ...)
    begin_run()
    local started = clock()
    deadline = timeout > 0 and started + timeout or huge
    slice_end = huge
    local function finish(ok, ...)
        deadline = huge
        return ok, ...
    end
    if threaded then return finish(pcall(fn, ...)) end
    return finish(xpcall(fn, function(message)
        if stopped then return stopped end
        return traceback(error_text(message), 2)
    end, ...))
end

local function load_source(text, chunkname)
    local fn, err = load_text(text, chunkname)
    if not fn then return false, err, "" end
    local ok, result = guarded_call(fn)
    if not ok then
        if stopped then
            local s = stopped
            return false, (s.where or chunkname:sub(2)) .. ": " .. s.kind .. " while loading", ""
        end
        if type(result) ~= "string" then result = error_text(result) end
        local first_line = result:match("^[^\n]*")
        return false, first_line, result
    end
    return true
end

-- Load-time tables. What the service's files (and bootstrap) built and left reachable from the
-- globals or from a module's value is the state's, and every request it serves reads the same
-- tables. A request may write to them, but not for the next one: when the state's first request
-- begins, each such table is copied (its fields and its metatable), and at the end of every
-- request each is compared with its copy, raw, and put back if it changed. A module first required
-- during a request is copied when it has loaded. Tables held only in a chunk's locals are not
-- reached (keep nothing about a request there).
local dgetmetatable = debug and debug.getmetatable or getmetatable
local dsetmetatable = debug and debug.setmetatable or setmetatable
-- sealed: nil until the first request, then { table, copy, field count, metatable }... An engine
-- may copy and compare the tables itself, faster: hooks.seal(t) and hooks.unseal().
local native_seal, native_unseal = hooks.seal, hooks.unseal
local sealed_seen = setmetatable({}, { __mode = "k" })

seal_from = function(root)
    local stack, top = { root }, 1
    while top > 0 do
        local t = stack[top]
        stack[top] = nil
        top = top - 1
        if type(t) == "table" and not sealed_seen[t] and not protected[t] and not owned[t]
            and not rawequal(t, base) then
            sealed_seen[t] = true
            local copy, count = native_seal == nil and {} or nil, 0
            for k, v in next, t do
                if copy then copy[k] = v end
                count = count + 1
                if type(k) == "table" then top = top + 1; stack[top] = k end
                if type(v) == "table" then top = top + 1; stack[top] = v end
            end
            local mt = dgetmetatable(t)
            if type(mt) == "table" then top = top + 1; stack[top] = mt end
            if copy then sealed[#sealed + 1] = { t, copy, count, mt } else native_seal(t) end
        end
    end
end

local function seal()
    sealed = {}
    for _, v in next, base do seal_from(v) end
    for _, v in next, loaded do seal_from(v) end
end

local function unseal_changes()
    if native_unseal then return native_unseal() end
    for i = 1, #sealed do
        local entry = sealed[i]
        local t, copy = entry[1], entry[2]
        local count, changed = 0, false
        for k, v in next, t do
            count = count + 1
            if not rawequal(copy[k], v) then changed = true break end
        end
        local mt = entry[4]
        if changed or count ~= entry[3] or not rawequal(dgetmetatable(t), mt) then
            for k in next, t do
                if copy[k] == nil then rawset(t, k, nil) end
            end
            for k, v in next, copy do rawset(t, k, v) end
            if not rawequal(dgetmetatable(t), mt) then pcall(dsetmetatable, t, mt) end
        end
    end
end

local function begin_request()
    if not sealed then seal() end
    begin_run()
    current = setmetatable({}, overlay_mt)
    env_mt.__index = current
    env_mt.__newindex = current
end

local function end_request()
    if sealed then unseal_changes() end
    if reseed_at_end then fresh_seed() end
    stopped = nil
    slice_end, deadline = huge, huge
    current = base
    env_mt.__index = base
    env_mt.__newindex = base
end

-- The request table, built here from plain values (the engine's request_values): counts of
-- headers, cookies and query arguments, the scalar fields, then those as name, value pairs.
local function pairs_table(values, from, count)
    local t = {}
    for i = from, from + 2 * count - 1, 2 do t[values[i]] = values[i + 1] end
    return t
end

-- What a handler reads of its request only when it asks (the engine's hooks.request_data, see
-- petrel/engines/request_data.py): request.form, request.files, and the functions form_list,
-- file_list and header_list, found through the request table's metatable and kept in the table
-- once read. A malformed body is an error at the handler's line.
local request_hook = hooks.request_data

local function request_data(kind, name)
    local ok, values = request_hook(kind, name)
    if not ok then error(values, 3) end   -- 1: here, 2: the accessor, 3: the handler's line
    return values
end

local function file_tables(values)
    local list = {}
    for i = 1, #values, 4 do
        list[#list + 1] = { name = values[i], filename = values[i + 1], content_type = values[i + 2],
                            content = values[i + 3] }
    end
    return list
end

local function name_argument(fname, a, b)
    if type(a) == "table" then a = b end   -- request:header_list(name) as well
    if type(a) ~= "string" then
        error("bad argument #1 to '" .. fname .. "' (string expected, got " .. type(a) .. ")", 3)
    end
    return a
end

local request_functions = {
    header_list = function(a, b)
        local values = request_data("header_list", name_argument("header_list", a, b))
        return values
    end,
    form_list = function(a, b)
        local values = request_data("form_list", name_argument("form_list", a, b))
        return values
    end,
    file_list = function(a, b)
        local files = file_tables(request_data("file_list", name_argument("file_list", a, b)))
        return files
    end,
}

local request_mt = { __metatable = false }
request_mt.__index = function(request, key)
    local value = request_functions[key]
    if value == nil then
        if key == "form" then
            local values = request_data("form")
            value = {}
            for i = 1, #values, 2 do
                local k = values[i]
                if value[k] == nil then value[k] = values[i + 1] end   -- the first of a repeated field
            end
        elseif key == "files" then
            local files = file_tables(request_data("files"))
            value = {}
            for i = 1, #files do
                local k = files[i].name
                if value[k] == nil then value[k] = files[i] end
            end
        else
            return nil
        end
    end
    rawset(request, key, value)
    return value
end
owned[request_mt], owned[request_functions] = true, true

-- An engine that makes the request and response tables itself (lark: they are Python objects
-- there) starts the handler here; start_handler is the same from the request's plain values.
local function start_prepared(name, request, response)
    local fn = rawget(base, name)
    if type(fn) ~= "function" then return "missing", type(fn) end
    begin_request()
    setmetatable(request, request_mt)
    return "step", run(fn, request, response)
end

local function start_handler(name, nh, nc, na, path, method, proto, host, timestamp, content, remote_addr,
                             ip_ver, remote_port, query, http_version, id, ...)
    local request = { path = path, method = method, proto = proto, host = host, timestamp = timestamp,
                      content = content, remote_addr_str = remote_addr, remote_addr_ip_ver = ip_ver,
                      remote_port = remote_port, query = query, http_version = http_version, id = id }
    if nh + nc + na > 0 then
        local values = ...   -- many pairs come as one sequence table, else as the arguments
        if type(values) ~= "table" then values = { ... } end
        request.headers = pairs_table(values, 1, nh)
        request.cookies = pairs_table(values, 1 + 2 * nh, nc)
        request.args = pairs_table(values, 1 + 2 * (nh + nc), na)
    else
        request.headers, request.cookies, request.args = {}, {}, {}
    end
    return start_prepared(name, request, { status = 200, headers = {}, content = "" })
end

local function start_bootstrap()
    local fn = rawget(base, "bootstrap")
    if type(fn) ~= "function" then return "missing", type(fn) end
    begin_run()
    return "step", run(fn)
end

-- The repl: one input as the lua command takes it (an expression is returned, so it is shown), run
-- outside any request so that its globals stay for the next input. "syntax", message when it does
-- not compile (an incomplete input's message ends in "<eof>"), else "step" and the run; its results
-- are the count and tostring of each value.
local function start_eval(text, chunkname)
    -- An expression's values go to pack as arguments: no tail call, so that error() names stdin.
    -- (A line break before the parenthesis only after a comment: the last index of the
    -- expression would be reported on that line.)
    local close = sfind(text, "--", 1, true) and "\n)" or ")"
    local fn = load_text("return (...)(" .. text .. close, chunkname)
    local expression = fn ~= nil
    if not fn then
        local err
        fn, err = load_text(text, chunkname)
        if not fn then return "syntax", err end
    end
    begin_run()
    return "step", run(function()
        local results
        if expression then results = fn(pack) else results = pack(fn()) end
        local show = base.tostring
        for i = 1, results.n do results[i] = show(results[i]) end
        return results.n, unpack(results, 1, results.n)
    end)
end

-- One call out to the engine with everything, read raw: ok, status, content, then either the
-- headers value itself (not a table) or true followed by the header names and values. A value that
-- is a list gives its name once for each item; a list that is not one of strings or numbers gives
-- false, the name, the item's index (nil: the table is not a list) and the item's type; more than
-- MAX_RESPONSE_FIELDS fields give false and that number.
local MAX_RESPONSE_FIELDS = 1000

local function read_response(response)
    if type(response) ~= "table" then return false, type(response) end
    local headers = rawget(response, "headers")
    local status, content = rawget(response, "status"), rawget(response, "content")
    if type(headers) ~= "table" then return true, status, content, headers end
    local flat, n = {}, 0
    for k, v in next, headers do
        if type(v) == "table" then
            local count = 0
            for _ in next, v do count = count + 1 end
            for i = 1, count do
                local item = rawget(v, i)
                local kind = type(item)
                if kind == "nil" then return true, status, content, false, k, nil, "table" end
                if kind ~= "string" and kind ~= "number" then return true, status, content, false, k, i, kind end
                flat[n + 1], flat[n + 2] = k, item
                n = n + 2
            end
        else
            flat[n + 1], flat[n + 2] = k, v
            n = n + 2
        end
        if n > 2 * MAX_RESPONSE_FIELDS then return true, status, content, false, MAX_RESPONSE_FIELDS end
    end
    return true, status, content, true, unpack(flat, 1, n)
end

-- A request in as few crossings as possible, for an engine that drives coroutines (lupa): start the
-- handler and run its first slice at once; a handler that finishes there (most do) comes back as
-- "response" and read_response's values, else as the step's outcome with the step function second
-- ("preempt", step | "yield", step, n, py, args... | "error", step, message, traceback | "limit",
-- step, kind, where, traceback), to go on with resume_request(step, ...).
local function step_outcome(step, kind, ...)
    if kind == "done" then
        local _, response = ...
        return "response", read_response(response)
    end
    return kind, step, ...
end

local function handle_request(name, ...)
    local kind, step = start_handler(name, ...)
    if kind ~= "step" then return kind, step end
    return step_outcome(step, step())
end

local function resume_request(step, ...)
    return step_outcome(step, step(...))
end

-- What stopped the current run: kind, where (for an engine that sees the stop as an error).
local function stop_info(err)
    if stopped and (err == nil or rawequal(err, STOP)) then return stopped.kind, stopped.where end
    return nil
end

return {
    install_library = install_library,
    install_global = install_global,
    sync_stub = sync_stub,
    async_stub = async_stub,
    method_stub = method_stub,
    make_class = make_class,
    extend_class = extend_class,
    new_object = new_object,
    readonly = readonly,
    load_source = load_source,
    end_request = end_request,
    start_handler = start_handler,
    start_prepared = start_prepared,
    start_bootstrap = start_bootstrap,
    start_eval = start_eval,
    read_response = read_response,
    handle_request = handle_request,
    resume_request = resume_request,
    checkin = checkin,
    concat = checked_concat,
    stop_info = stop_info,
}

-- The sandbox of the lupa engine. It runs once in each new runtime, with the runtime's full globals,
-- and returns the functions the engine drives the state with. Service code only ever sees `env`:
-- a table whose reads and writes go to the current request's overlay, whose misses go to `base`
-- (the restricted globals and everything the service files defined at load time).
-- It must run unchanged on LuaJIT and on PUC Lua 5.1 to 5.5.

local hooks = ...

local type, error, select, pairs, ipairs, next, tostring = type, error, select, pairs, ipairs, next, tostring
local setmetatable, getmetatable = setmetatable, getmetatable
local rawget, rawset, rawequal = rawget, rawset, rawequal
local co_create, co_resume, co_status, co_yield = coroutine.create, coroutine.resume, coroutine.status,
    coroutine.yield
local traceback = debug.traceback
local unpack = table.unpack or unpack
local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local load, loadstring, setfenv = load, loadstring, setfenv
local sbyte, sfind = string.byte, string.find
local is51 = setfenv ~= nil

local base = {}
local overlay_mt = { __index = base, __metatable = false }
local env_mt = { __metatable = false, __index = base, __newindex = base }
local env = setmetatable({}, env_mt)
local current = base
base._G = env

local function readonly(t, name)
    local fields = {}
    for k, v in pairs(t) do fields[k] = v end
    local mt = {
        __index = fields,
        __newindex = function(_, k)
            error("attempt to modify read-only table '" .. name .. "' (field '" .. tostring(k) .. "')", 2)
        end,
        __pairs = function() return next, fields, nil end,
        __metatable = false,
    }
    return setmetatable({}, mt), fields, mt
end

-- Base functions. rawget/rawset on _G act on the request's globals like an ordinary access would,
-- so a request cannot reach past its overlay into the state that outlives it.
for _, name in ipairs({ "pairs", "ipairs", "next", "select", "type", "tostring", "tonumber", "error",
    "assert", "pcall", "xpcall", "rawequal", "setmetatable", "getmetatable", "unpack" }) do
    base[name] = _G[name]
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
base.table = readonly(table, "table")
base.math = readonly(math, "math")
base.os = readonly({ time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }, "os")
if utf8 then base.utf8 = readonly(utf8, "utf8") end
if bit then base.bit = readonly(bit, "bit") end
-- Methods such as ("x"):upper() look in the same fields (string.dump is not among them), and the
-- string metatable is out of reach.
local string_mt = debug.getmetatable("")
string_mt.__metatable = false
string_mt.__index = string_fields

-- Loading code: text only, always into env.
local function load_text(text, chunkname)
    if sbyte(text, 1) == 27 then
        return nil, chunkname:sub(2) .. ": binary chunks are not allowed"
    end
    if is51 then
        local fn, err = loadstring(text, chunkname)
        if fn then setfenv(fn, env) end
        return fn, err
    end
    return load(text, chunkname, "t", env)
end

local loaded = {}
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
    return result
end

-- Running code. Each handler call runs in its own coroutine; an async library function yields
-- ASYNC to the engine, which awaits the Python coroutine and resumes with (ok, results...).
local ASYNC = {}

local function check(ok, ...)
    if ok then return ... end
    error((...), 2)
end

local function sync_stub(py)
    return function(...) return check(py(...)) end
end

local function async_stub(py)
    return function(...) return check(co_yield(ASYNC, py, ...)) end
end

local handles = setmetatable({}, { __mode = "k" })
local serials = setmetatable({}, { __mode = "k" })   -- what tostring(obj) shows: no Python repr

local function method_stub(name, py, is_async)
    local message = "calling '" .. name .. "' on bad self"
    if is_async then
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

local function make_class(name, methods)
    local index = {}
    for k, v in pairs(methods) do index[k] = v end
    return {
        __index = index,
        __newindex = function(_, k)
            error("attempt to set field '" .. tostring(k) .. "' of a " .. name .. " object", 2)
        end,
        __tostring = function(self) return name .. ": " .. tostring(serials[self]) end,
        __name = name,
        __metatable = false,
    }
end

local serial = 0

local function new_object(class, handle)
    local obj = setmetatable({}, class)
    handles[obj] = handle
    serial = serial + 1
    serials[obj] = serial
    return obj
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

local function error_text(err)
    if type(err) == "string" then return err end
    if type(err) == "number" then return tostring(err) end
    local mt = getmetatable(err)
    if mt and mt.__tostring then return tostring(err) end
    return "(error object is a " .. type(err) .. " value)"
end

local function start(fn, ...)
    local co = co_create(fn)
    local args = pack(...)
    local first = true
    local function step_result(ok, ...)
        if not ok then
            local message = error_text((...))
            return "error", message, traceback(co, message)
        end
        if co_status(co) == "dead" then
            return "done", select("#", ...), ...
        end
        local token = ...
        if token ~= ASYNC then
            return "error", "unexpected yield", traceback(co, "unexpected yield")
        end
        return "yield", select("#", ...) - 1, select(2, ...)
    end
    return function(...)
        if first then
            first = false
            return step_result(co_resume(co, unpack(args, 1, args.n)))
        end
        return step_result(co_resume(co, ...))
    end
end

local function load_source(text, chunkname)
    local fn, err = load_text(text, chunkname)
    if not fn then return false, err, "" end
    local ok, result = xpcall(fn, function(message)
        return traceback(error_text(message), 2)
    end)
    if not ok then
        local first_line = result:match("^[^\n]*")
        return false, first_line, result
    end
    return true
end

local function begin_request()
    current = setmetatable({}, overlay_mt)
    env_mt.__index = current
    env_mt.__newindex = current
end

local function end_request()
    current = base
    env_mt.__index = base
    env_mt.__newindex = base
end

local function start_handler(name, request, headers, cookies, args)
    local fn = rawget(base, name)
    if type(fn) ~= "function" then return "missing", type(fn) end
    begin_request()
    request.headers, request.cookies, request.args = headers, cookies, args
    local response = { status = 200, headers = {}, content = "" }
    return "step", start(fn, request, response)
end

local function start_bootstrap()
    local fn = rawget(base, "bootstrap")
    if type(fn) ~= "function" then return "missing", type(fn) end
    return "step", start(fn)
end

-- One call out to Python with everything: ok, status, content, then either the headers value
-- itself (not a table) or true followed by the header names and values.
local function read_response(response)
    if type(response) ~= "table" then return false, type(response) end
    local headers = response.headers
    if type(headers) ~= "table" then return true, response.status, response.content, headers end
    local flat, n = {}, 0
    for k, v in pairs(headers) do
        flat[n + 1], flat[n + 2] = k, v
        n = n + 2
    end
    return true, response.status, response.content, true, unpack(flat, 1, n)
end

return {
    install_library = install_library,
    install_global = install_global,
    sync_stub = sync_stub,
    async_stub = async_stub,
    method_stub = method_stub,
    make_class = make_class,
    new_object = new_object,
    load_source = load_source,
    end_request = end_request,
    start_handler = start_handler,
    start_bootstrap = start_bootstrap,
    read_response = read_response,
}

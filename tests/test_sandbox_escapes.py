"""Attacks on the restricted environment handlers run in, one route per attempt.

Every attempt is a Lua function in one service that answers what it reached: "blocked" (or
"clean" for a check run by a later request on the same state) when the sandbox held, "escaped: ..."
with what it got when it did not. One server per engine/runtime serves every attempt (statebuffer=1,
so consecutive requests share the one Lua state and a leak between requests shows). An attempt
that currently gets through asserts the secure answer and is marked xfail(strict=True) on the
engines where it gets through, so fixing the sandbox turns it into a failure to unmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support import ENGINE_SPECS, ServerProcess, engine_available, launch_server, write_service

# Every engine and runtime: the suite's usual three, and the other lupa runtimes.
ALL_SPECS = [p.values[0] for p in ENGINE_SPECS] + [("lupa", r) for r in ("lua51", "lua52", "lua53", "lua55")]


def spec_id(spec: tuple[str, str | None]) -> str:
    return spec[0] if spec[1] is None else f"{spec[0]}-{spec[1]}"


LARK = "lark"
LUAJIT = "lupa-luajit"
LUA51, LUA52, LUA53, LUA54, LUA55 = (f"lupa-lua5{n}" for n in range(1, 6))
EVERY = frozenset({LARK, LUAJIT, LUA51, LUA52, LUA53, LUA54, LUA55})
LUPA = EVERY - {LARK}
PAIRS_HONOURED = frozenset({LARK, LUA52, LUA53, LUA54, LUA55})   # pairs() calls __pairs
RAW_TABLE_LIB = frozenset({LUAJIT, LUA51, LUA52})                 # table.insert writes raw

HELPERS = r"""
-- What the attempts themselves rely on, fixed at load time: an attempt that replaces a global must
-- not change how its own answer is made.
local tostring, pcall, type, ipairs, pairs, select = tostring, pcall, type, ipairs, pairs, select
local string, table, math = string, table, math

-- Text that only Python puts in a message or a tostring(): a Python exception's class or wording,
-- a repr, a lupa or interpreter type name.
local PYTHONISMS = { "%u%a+Error", "%.Error", "Exception", "Traceback", "object at 0x", "<class",
    "<function", "<built%-in", "<bound", "NoneType", "LuaTable", "_Lua", "lupa", "' object",
    "unhashable", "has no attribute", "positional argument", "not subscriptable", "Exceeds the limit",
    "invalid literal", "division or modulo", "float modulo", "float division", "math domain",
    "string index out of range", "list index out of range", "tuple index out of range", "Python",
    "petrel%.", "%.py", "by zero", "too large to convert", "C int", "C long", "is out of range",
    "not supported between", "can't ", "unsupported operand", "object of type", "Errno",
    "embedded null", "null character", "surrogate", "codec" }

function pythonism(text)
    if type(text) ~= "string" then return nil end
    for _, pattern in ipairs(PYTHONISMS) do
        if string.find(text, pattern) then return pattern end
    end
    return nil
end

-- tostring() of a function, table or library object may show its kind and an address, nothing else.
function plain_tostring(text)
    return type(text) == "string" and (string.find(text, "^%a[%w_]*: 0?x?%x+$") ~= nil
        or string.find(text, "^function: builtin#%d+$") ~= nil)
end

"""

SERVICE = r"""
function bootstrap()
    petrel.add_route("/attempt", "attempt")
    petrel.add_route("/normal", "normal")
    petrel.add_route("/state", "state")
    petrel.add_route("/clean", "clean")
    petrel.add_route("/raise", "raise")
    petrel.add_route("/bad_response", "bad_response")
end

local unpack_ = table.unpack or unpack
local STATE = {}                         -- one per Lua state: tostring() tells states apart
local helper = require("lib.helper")     -- in the require cache from load time on
local ORIGINAL_GREET = helper.greet
SHARED = { value = "original" }          -- a table the service made at load time
DEEP = { nested = { n = 1, list = { 1, 2, 3 } }, gone = "here" }
CLASS = setmetatable({}, { __index = { kind = "original" } })
local GC_SEEN = {}                        -- what finalizers saw, if they ever run

local BASE_NAMES = { "print", "pairs", "ipairs", "next", "select", "type", "tostring", "tonumber",
    "error", "assert", "pcall", "xpcall", "rawget", "rawset", "rawequal", "rawlen", "setmetatable",
    "getmetatable", "require", "metric", "http_client", "http2_client", "string", "table", "math",
    "os", "petrel", "base64", "hash", "_VERSION", "unpack", "utf8", "bit" }
local LIB_FIELDS = {
    string = { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "rep",
               "reverse", "sub", "upper", "pack", "packsize", "unpack" },
    table = { "concat", "insert", "remove", "sort" },
    math = { "abs", "ceil", "floor", "huge", "max", "min", "pi", "random", "randomseed", "sqrt",
             "fmod", "log", "exp", "modf", "tointeger", "type", "ult" },
    os = { "time", "clock", "date", "difftime" },
    petrel = { "add_route", "add_directory_route", "add_lib_search_path", "lib_search_path",
               "load_lib", "sleep_nanos", "sleep_micros", "sleep_millis" },
    base64 = { "encode", "decode" },
    hash = { "md5", "sha1", "fnv" },
    utf8 = { "char", "charpattern", "codepoint", "codes", "len", "offset" },
    bit = { "band", "bor", "bxor", "bnot", "lshift", "rshift", "arshift", "tohex" },
}
local LIB_NAMES = { "string", "table", "math", "os", "petrel", "base64", "hash", "utf8", "bit" }
local FORBIDDEN = { "io", "debug", "coroutine", "package", "jit", "ffi", "bit32", "python", "load",
    "loadstring", "loadfile", "dofile", "getfenv", "setfenv", "collectgarbage", "gcinfo", "newproxy",
    "module", "lupa", "_ENV", "require_", "warn", "arg", "_LOADED", "_PRELOAD" }
local OS_FORBIDDEN = { "exit", "getenv", "execute", "remove", "rename", "tmpname", "setlocale" }
local MARKERS = { "zz_global", "zz_rawset_env", "zz_close", "zz_gc_probe", "zz_pairs", "zz_rawset",
    "zz_insert" }
local LOG_VALUES = { LOG_EMERG = 0, LOG_ALERT = 1, LOG_CRIT = 2, LOG_ERR = 3, LOG_WARNING = 4,
    LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 }

-- What every request must see, captured before any request ran.
local ORIGINAL, ORIGINAL_FIELDS = {}, {}
for _, name in ipairs(BASE_NAMES) do ORIGINAL[name] = _G[name] end
for lib, fields in pairs(LIB_FIELDS) do
    local t = _G[lib]
    if t ~= nil then
        ORIGINAL_FIELDS[lib] = {}
        for _, f in ipairs(fields) do ORIGINAL_FIELDS[lib][f] = t[f] end
    end
end

local function dirty()
    local found = {}
    local function say(text) found[#found + 1] = text end
    for _, name in ipairs(BASE_NAMES) do
        if not rawequal(_G[name], ORIGINAL[name]) then say("global " .. name) end
    end
    for lib, fields in pairs(ORIGINAL_FIELDS) do
        local t = _G[lib]
        for f, value in pairs(fields) do
            if type(t) ~= "table" or not rawequal(t[f], value) then say(lib .. "." .. f) end
        end
        if type(t) == "table" then
            if rawget(t, 1) ~= nil or next(t) ~= nil and type(next(t)) ~= "string" then
                say(lib .. " has raw fields")
            end
            for _, m in ipairs(MARKERS) do
                if t[m] ~= nil then say(lib .. "." .. m) end
            end
        end
    end
    for _, name in ipairs(FORBIDDEN) do
        if _G[name] ~= nil then say("forbidden " .. name) end
    end
    for _, name in ipairs(OS_FORBIDDEN) do
        if os[name] ~= nil then say("os." .. name) end
    end
    for _, name in ipairs(MARKERS) do
        if _G[name] ~= nil then say("marker " .. name) end
    end
    for name, value in pairs(LOG_VALUES) do
        if _G[name] ~= value then say(name) end
    end
    if not rawequal(_G._G, _G) then say("_G._G") end
    if next(_G) ~= nil then say("next(_G) is " .. tostring(next(_G))) end
    if type(getmetatable("")) == "table" then say("string metatable") end
    if ("x"):upper() ~= "X" or ("%d"):format(3) ~= "3" or ("x").zz_pairs ~= nil then say("string methods") end
    if os.time() == 0 then say("os.time") end
    if SHARED.value ~= "original" then say("SHARED") end
    if not rawequal(helper.greet, ORIGINAL_GREET) or require("lib.helper") ~= helper then say("lib.helper") end
    if #GC_SEEN > 0 then say("finalizers ran: " .. #GC_SEEN) end
    return found
end

function normal(request, response)
    response.content = "normal " .. request.path
    return response
end

function state(request, response)
    response.content = tostring(STATE)
    return response
end

function clean(request, response)
    local found = dirty()
    response.content = #found == 0 and "clean" or ("dirty: " .. table.concat(found, ", "))
    return response
end

-- An uncaught error whose object fails when made into text.
function raise(request, response)
    local how = request.args.how
    if how == "tostring_errors" then
        error(setmetatable({}, { __tostring = function() error("inner") end }))
    elseif how == "tostring_yields" then
        error(setmetatable({}, { __tostring = function() petrel.sleep_millis(1) return "x" end }))
    elseif how == "tostring_not_string" then
        error(setmetatable({}, { __tostring = function() return {} end }))
    elseif how == "function" then
        error(print)
    end
    error("plain")
end

-- A response table whose fields run code when the engine reads them.
function bad_response(request, response)
    local how = request.args.how
    if how == "index_errors" then
        return setmetatable({}, { __index = function() error("inner") end })
    elseif how == "index_yields" then
        return setmetatable({}, { __index = function() petrel.sleep_millis(1) return nil end })
    elseif how == "headers_pairs_yields" then
        response.headers = setmetatable({}, { __pairs = function() petrel.sleep_millis(1) return next, {}, nil end })
        return response
    elseif how == "headers_index_errors" then
        response.headers = setmetatable({}, { __index = function() error("inner") end })
        return response
    end
    return response
end

local function blocked_if_nil(...)
    local values = { ... }
    for i = 1, select("#", ...) do
        local ok, value = pcall(values[i])
        if ok and value ~= nil and value ~= false then
            return "escaped: #" .. i .. " gave a " .. type(value)
        end
    end
    return "blocked"
end

local function collect(list)
    if #list == 0 then return "blocked" end
    local shown = {}
    for i = 1, math.min(#list, 5) do shown[i] = list[i] end
    return "escaped: " .. table.concat(shown, "; ")
end

local function every_function()
    -- (label, value) for everything a handler is given that is not a plain value
    local out = {}
    for _, name in ipairs(BASE_NAMES) do
        local v = _G[name]
        if type(v) == "function" or type(v) == "table" then out[#out + 1] = { name, v } end
    end
    for lib, fields in pairs(LIB_FIELDS) do
        local t = _G[lib]
        if type(t) == "table" then
            for _, f in ipairs(fields) do
                if type(t[f]) == "function" then out[#out + 1] = { lib .. "." .. f, t[f] } end
            end
        end
    end
    local m = metric()
    out[#out + 1] = { "metric()", m }
    out[#out + 1] = { "metric().total", m.total }
    out[#out + 1] = { "http_client()", http_client() }
    out[#out + 1] = { "http2_client()", http2_client() }
    out[#out + 1] = { "_G", _G }
    return out
end

local ODD_ARGS = {
    {}, { n = 1 }, { {} }, { print }, { true }, { 0 / 0 }, { 1 / 0 }, { -1 / 0 }, { 2 ^ 63 }, { -2 ^ 63 },
    { 2 ^ 53 + 1 }, { "\255\0" }, { "%" }, { ("9"):rep(5000) }, { "x", {} }, { "x", print },
    { "x", 2 ^ 63 }, { "x", -2 ^ 63, 2 ^ 63 }, { "x", ("9"):rep(5000) }, { "%d", 2 ^ 63 },
    { "%c", -1 }, { "x", "(", 1 }, { "%5$s", 1 }, { {}, {} }, { "i17", 1 }, { "!17", 1 },
    { "z", "x" }, { "s1", ("x"):rep(300) }, { "*t", 2 ^ 60 }, { "%Ez", -2 ^ 60 }, { 1, 0 },
    { -2 ^ 63, -1 }, { "x", 0, -2 ^ 63 }, { setmetatable({}, { __index = function() error("idx") end }) },
    { setmetatable({}, { __len = function() return 2 ^ 53 end }) }, { { [{}] = 1 } },
}

local function fuzz(functions)
    local found = {}
    for _, entry in ipairs(functions) do
        local label, fn = entry[1], entry[2]
        for i, args in ipairs(ODD_ARGS) do
            local results = { pcall(fn, unpack_(args, 1, args.n or #args)) }
            local ok = results[1]
            for j = 2, #results do
                local value = results[j]
                local where = label .. " with args #" .. i
                local bad = pythonism(value)
                if bad then found[#found + 1] = where .. ": " .. bad .. " in '" .. value:sub(1, 120) .. "'" end
                if type(value) == "string" and #value > 2 ^ 20 then found[#found + 1] = where .. ": " .. #value .. " bytes" end
                if type(value) == "userdata" then found[#found + 1] = where .. ": a userdata" end
            end
            if #found >= 5 then return found end
        end
    end
    return found
end

local A = ATTEMPTS or {}   -- the attempts: name -> function(request) returning the answer
ATTEMPTS = A

-- getmetatable("") is the way to the shared string metatable, its __index and load via it.
A.string_metatable = function()
    local mt = getmetatable("")
    if type(mt) == "table" then return "escaped: getmetatable('') is a table" end
    return blocked_if_nil(
        function() return getmetatable("").__index end,
        function() return ("x").__index end,
        function() return ("x").__metatable end,
        function() return ("x").load end,
        function() return ("x").loadstring end,
        function() return ("x").dofile end,
        function() return ("x").__gc end)
end

-- string.dump under every name it could hide behind.
A.string_dump = function()
    local via_pairs = function()
        for k in pairs(string) do if k == "dump" then return true end end
    end
    return blocked_if_nil(
        function() return string.dump end,
        function() return ("x").dump end,
        function() return rawget(string, "dump") end,
        function() return ("").dump end,
        via_pairs)
end

-- Forbidden globals, through a plain read, _G, rawget and the string methods.
A.forbidden_globals = function()
    local found = {}
    for _, name in ipairs(FORBIDDEN) do
        if _G[name] ~= nil then found[#found + 1] = "_G." .. name end
        if rawget(_G, name) ~= nil then found[#found + 1] = "rawget " .. name end
        if ("x")[name] ~= nil then found[#found + 1] = "string method " .. name end
    end
    return collect(found)
end

-- os has only time, clock, date and difftime.
A.os_forbidden = function()
    local found = {}
    for _, name in ipairs(OS_FORBIDDEN) do
        if os[name] ~= nil then found[#found + 1] = "os." .. name end
        if rawget(os, name) ~= nil then found[#found + 1] = "rawget os." .. name end
    end
    for k in pairs(os) do
        if k ~= "time" and k ~= "clock" and k ~= "date" and k ~= "difftime" then
            found[#found + 1] = "pairs(os) has " .. tostring(k)
        end
    end
    return collect(found)
end

-- No coroutine by any path: globals, libraries, require, string methods.
A.coroutine_paths = function()
    local found = {}
    for _, lib in ipairs(LIB_NAMES) do
        local t = _G[lib]
        -- (Lua 5.5's table.create makes tables, not coroutines)
        if type(t) == "table" and (t.coroutine ~= nil or t.resume ~= nil or t.wrap ~= nil or t.yield ~= nil) then
            found[#found + 1] = lib .. ".coroutine"
        end
    end
    if ("x").coroutine ~= nil or ("x").yield ~= nil then found[#found + 1] = "string method" end
    if pcall(require, "coroutine") then found[#found + 1] = "require" end
    if _G.coroutine ~= nil or rawget(_G, "coroutine") ~= nil then found[#found + 1] = "global" end
    return collect(found)
end

-- Library tables, objects and _G keep their metatables to themselves and refuse new ones.
A.library_metatables = function()
    local found = {}
    local values = { string = string, table = table, math = math, os = os, petrel = petrel,
        base64 = base64, hash = hash, metric = metric, http_client = http_client, _G = _G,
        ["metric()"] = metric(), ["http_client()"] = http_client(), utf8 = utf8, bit = bit }
    for label, v in pairs(values) do
        if type(getmetatable(v)) == "table" then found[#found + 1] = "getmetatable(" .. label .. ")" end
        if type(v) == "table" and pcall(setmetatable, v, {}) then found[#found + 1] = "setmetatable(" .. label .. ")" end
    end
    return collect(found)
end

-- Hidden fields: raw fields of the proxies, underscore names, userdata values, from pairs and next.
A.hidden_fields = function()
    local found = {}
    local values = { string = string, table = table, math = math, os = os, petrel = petrel,
        base64 = base64, hash = hash, metric = metric, ["metric()"] = metric(), _G = _G,
        ["http_client()"] = http_client(), utf8 = utf8, bit = bit }
    for label, t in pairs(values) do
        local k, v = next(t)
        if k ~= nil then found[#found + 1] = "next(" .. label .. ") = " .. tostring(k) end
        for key, value in pairs(t) do
            if type(key) ~= "string" or key:sub(1, 1) == "_" then found[#found + 1] = label .. "[" .. tostring(key) .. "]" end
            if type(value) == "userdata" or type(value) == "thread" then found[#found + 1] = label .. "." .. tostring(key) .. " is " .. type(value) end
        end
        for _, name in ipairs({ "__index", "__metatable", "_fields", "fields", "handle", "__call", "_registry", "_metric", "__dict__" }) do
            local ok, value = pcall(function() return t[name] end)
            if ok and value ~= nil then found[#found + 1] = label .. "." .. name end
            if rawget(t, name) ~= nil then found[#found + 1] = "rawget " .. label .. "." .. name end
        end
    end
    return collect(found)
end

-- Python attributes of functions, objects, strings and tables.
A.python_attributes = function()
    local found = {}
    local names = { "__globals__", "__code__", "__closure__", "__self__", "__class__", "__dict__",
        "__module__", "__call__", "__func__", "__builtins__", "gi_frame", "func_globals", "__init__",
        "__getattribute__", "_registry", "_metric", "__wrapped__", "im_func" }
    local m = metric()
    local kinds = { { "print", print }, { "string.upper", string.upper }, { "rawget", rawget },
        { "require", require }, { "petrel.add_route", petrel.add_route }, { "metric", metric },
        { "metric()", m }, { "metric().total", m.total }, { "http_client()", http_client() },
        { "pcall", pcall }, { "setmetatable", setmetatable }, { "_G", _G } }
    for _, entry in ipairs(kinds) do
        for _, name in ipairs(names) do
            local ok, value = pcall(function() return entry[2][name] end)
            if ok and value ~= nil then found[#found + 1] = entry[1] .. "." .. name .. " is a " .. type(value)
            elseif not ok and pythonism(value) then found[#found + 1] = entry[1] .. "." .. name .. ": " .. value end
        end
    end
    for _, name in ipairs(names) do
        if ("x")[name] ~= nil then found[#found + 1] = "string." .. name end
    end
    return collect(found)
end

-- tostring() and string.format("%s") of everything handlers get show a kind and an address.
A.tostring_reprs = function()
    local found = {}
    for _, entry in ipairs(every_function()) do
        local text = tostring(entry[2])
        if not plain_tostring(text) then found[#found + 1] = entry[1] .. " -> " .. text end
        local ok, formatted = pcall(string.format, "%s", entry[2])
        if ok and not plain_tostring(formatted) then found[#found + 1] = "%s of " .. entry[1] .. " -> " .. formatted end
        if not ok and pythonism(formatted) then found[#found + 1] = "%s of " .. entry[1] .. ": " .. formatted end
        local okq, quoted = pcall(string.format, "%q", entry[2])
        if okq and pythonism(quoted) then found[#found + 1] = "%q of " .. entry[1] .. " -> " .. quoted end
    end
    return collect(found)
end

-- __tostring and __name returning what is not a string: no Python text may come of it.
A.tostring_metamethods = function()
    local found = {}
    local odd = { print, {}, 42, true, metric(), string }
    for i, value in ipairs(odd) do
        local objects = {
            setmetatable({}, { __tostring = function() return value end }),
            setmetatable({}, { __name = value }),
        }
        for j, obj in ipairs(objects) do
            for _, how in ipairs({ "tostring", "format", "concat" }) do
                local ok, text = pcall(function()
                    if how == "tostring" then return tostring(obj) end
                    if how == "format" then return string.format("%s", obj) end
                    return "" .. tostring(obj)
                end)
                if type(text) == "string" and pythonism(text) then
                    found[#found + 1] = how .. " #" .. i .. "." .. j .. " -> " .. text
                end
            end
        end
    end
    return collect(found)
end

-- Error values handed back by pcall are the values raised, and library errors are Lua text.
A.error_values = function(request)
    local found = {}
    local root = request.args.root or "\0"
    local function check(label, ok, value)
        if ok then found[#found + 1] = label .. " did not fail" return end
        if type(value) == "userdata" then found[#found + 1] = label .. " gave a userdata" end
        if type(value) == "string" then
            if pythonism(value) then found[#found + 1] = label .. ": " .. value end
            if value:find(root, 1, true) then found[#found + 1] = label .. " shows lua.root: " .. value end
        end
    end
    check("require nope", pcall(require, "nope"))
    check("require lib.raises", pcall(require, "lib.raises"))
    check("base64.encode()", pcall(base64.encode))
    check("base64.decode bad", pcall(base64.decode, "!!!"))
    check("add_route 1", pcall(petrel.add_route, 1))
    check("metric():total()", pcall(function() return metric():total() end))
    check("metric():get_counter", pcall(function() return metric():get_counter("zz_no_such_counter") end))
    check("string.rep()", pcall(string.rep))
    check("sleep -1", pcall(petrel.sleep_millis, -1))
    local ok, value = pcall(error, print)
    if ok or not rawequal(value, print) then found[#found + 1] = "pcall(error, print)" end
    if pcall(error) then found[#found + 1] = "pcall(error) succeeded" end
    return collect(found)
end

-- Every standard function with odd arguments: errors are Lua errors, never Python's.
A.stdlib_python_errors = function()
    local functions = {}
    for _, lib in ipairs({ "string", "table", "math", "os", "utf8" }) do
        local t = _G[lib]
        for _, f in ipairs(LIB_FIELDS[lib]) do
            if type(t) == "table" and type(t[f]) == "function" then functions[#functions + 1] = { lib .. "." .. f, t[f] } end
        end
    end
    for _, name in ipairs({ "select", "tostring", "tonumber", "rawlen", "rawequal", "rawget", "ipairs",
        "pairs", "next", "type", "getmetatable", "setmetatable", "unpack", "xpcall" }) do
        if type(_G[name]) == "function" then functions[#functions + 1] = { name, _G[name] } end
    end
    return collect(fuzz(functions))
end

-- petrel's libraries with odd arguments, tables with table keys included.
A.library_python_errors = function()
    local m = metric()
    local functions = {
        { "base64.encode", base64.encode }, { "base64.decode", base64.decode }, { "hash.md5", hash.md5 },
        { "hash.sha1", hash.sha1 }, { "hash.fnv", hash.fnv }, { "print", print },
        { "petrel.lib_search_path", petrel.lib_search_path },
        { "metric():get_counter", function(...) return m:get_counter(...) end },
        { "metric():increment", function(...) return m:increment(...) end },
        { "metric():update", function(...) return m:update(...) end },
    }
    local found = fuzz(functions)
    local deep = {}
    local t = deep
    for _ = 1, 100 do t[1] = {} t = t[1] end
    for _, case in ipairs({ { "encode table key", base64.encode, { [{}] = 1 } },
                             { "print table key", print, { [{}] = true } },
                             { "print deep", print, deep },
                             { "md5 deep", hash.md5, deep } }) do
        local ok, err = pcall(case[2], case[3])
        if pythonism(err) then found[#found + 1] = case[1] .. ": " .. err end
    end
    return collect(found)
end

-- Method stubs called on a forged self: a table, a proxy, a string, nil, a lookalike.
A.method_forged_self = function()
    local found = {}
    local m = metric()
    local selves = { {}, string, "x", 1, false, setmetatable({}, { __index = m }), _G }
    for _, method in ipairs({ "total", "increment", "register_counter", "update" }) do
        local fn = m[method]
        for i, self in ipairs(selves) do
            local ok, err = pcall(fn, self, "zz_forged")
            if ok then found[#found + 1] = method .. " on self #" .. i .. " ran"
            elseif type(err) ~= "string" or not err:find("bad self", 1, true) then
                found[#found + 1] = method .. " on self #" .. i .. ": " .. tostring(err)
            end
        end
    end
    return collect(found)
end

-- A method of one class called with an object of another class as self.
A.method_cross_class_self = function()
    local found = {}
    local m, c, c2 = metric(), http_client(), http2_client()
    local cases = {
        { "metric.total(http_client)", m.total, c },
        { "metric.register_counter(http_client)", m.register_counter, c, "zz_cross" },
        { "metric.update(http2_client)", m.update, c2, 1 },
        { "http_client.read_timeout(metric)", c.read_timeout, m, 5 },
        { "http_client.connect_timeout(http2_client)", c.connect_timeout, c2, 5 },
        { "http2_client.read_timeout(http_client)", c2.read_timeout, c, 5 },
        { "http_client.disable_keepalive(metric)", c.disable_keepalive, m },
    }
    for _, case in ipairs(cases) do
        local ok, err = pcall(case[2], case[3], case[4])
        if ok then found[#found + 1] = case[1] .. " ran"
        elseif type(err) ~= "string" or not err:find("bad self", 1, true) then
            found[#found + 1] = case[1] .. ": " .. tostring(err)
        end
    end
    return collect(found)
end

-- Objects: no handle to find, no shared method to replace.
A.object_internals = function()
    local found = {}
    local m = metric()
    if pcall(function() m.total = function() return 999 end end) then found[#found + 1] = "m.total assigned" end
    rawset(m, "total", function() return 999 end)
    local fresh = metric()
    if fresh.total == m.total then found[#found + 1] = "rawset on one object reached another" end
    if metric.__call ~= nil or rawget(metric, "__call") ~= nil then found[#found + 1] = "metric.__call" end
    for k, v in pairs(fresh) do found[#found + 1] = "pairs(metric()) gave " .. tostring(k) end
    return collect(found)
end

-- require: only plain names of files under lua.root.
A.require_traversal = function()
    local names = { "..secret", "../secret", "lib/../../secret", "lib..helper", ".secret", "secret.",
        "secret", "/etc/passwd", "..", ".", "", "lib\\helper", "lib.helper\0", "lib/helper", "~",
        "%2e%2e.secret", "lib.helper ", " lib.helper", "lib.helper.lua", "outside", "linkdir.mod",
        "linkdir", "LIB.HELPER" }
    local found = {}
    for _, name in ipairs(names) do
        local ok, value = pcall(require, name)
        if ok then found[#found + 1] = string.format("%q", name) .. " loaded a " .. type(value)
        elseif pythonism(value) then found[#found + 1] = string.format("%q", name) .. ": " .. value end
    end
    return collect(found)
end

-- require of the standard and runtime modules the real package.loaded has.
A.require_runtime_modules = function()
    local names = { "os", "io", "ffi", "debug", "jit", "jit.util", "jit.profile", "jit.opt",
        "string.buffer", "table.new", "table.clear", "bit32", "bit", "coroutine", "package", "utf8",
        "string", "table", "math", "_G", "lupa", "python", "petrel", "base64" }
    local found = {}
    for _, name in ipairs(names) do
        local ok, value = pcall(require, name)
        if ok then found[#found + 1] = name .. " gave a " .. type(value) end
    end
    return collect(found)
end

-- require with values that are not module names.
A.require_odd_values = function()
    local values = { nil, {}, 1, true, print, ("a"):rep(10000), ("a."):rep(3000) .. "b", "\255\254" }
    local found = {}
    for i = 1, 8 do
        local ok, value = pcall(require, values[i])
        if ok then found[#found + 1] = "#" .. i .. " loaded"
        elseif pythonism(value) then found[#found + 1] = "#" .. i .. ": " .. value end
    end
    return collect(found)
end

-- Huge repetitions: a clear error or a small string, never gigabytes.
A.string_rep_overflow = function()
    local cases = { { "x", 2 ^ 62 }, { "xxxx", 2 ^ 62 }, { "x", 2 ^ 53 + 1 }, { "x", 2 ^ 63 },
        { "x", -2 ^ 63 }, { "ab", 2 ^ 50, "," }, { "", 2 ^ 62, "," }, { "x", 2 ^ 62, "" },
        { ("x"):rep(2 ^ 16), 2 ^ 48 }, { "x", 1 / 0 }, { "x", 0 / 0 } }
    local found = {}
    for i, case in ipairs(cases) do
        local ok, value = pcall(string.rep, case[1], case[2], case[3])
        if ok and #value > 2 ^ 20 then found[#found + 1] = "#" .. i .. " made " .. #value .. " bytes" end
        if not ok and pythonism(value) then found[#found + 1] = "#" .. i .. ": " .. value end
    end
    return collect(found)
end

-- string.format with widths, precisions and values out of range.
A.string_format_overflow = function()
    local cases = { { "%99999999d", 1 }, { "%.99999f", 1 }, { "%.999999999s", "x" }, { "%d", 2 ^ 63 },
        { "%d", -2 ^ 64 }, { "%x", 2 ^ 70 }, { "%5$s", 1 }, { "%n", 1 }, { "%hhd", 1 }, { "%lld", 1 },
        { "%c", 2 ^ 40 }, { "%099999999.99999999f", 1 }, { "%-99999999s", "x" }, { "%a", 1 / 0 },
        { "%i", 0 / 0 }, { "%s" }, { "%" }, { "%q", print }, { "%q", {} }, { "%" .. ("9"):rep(5000) .. "d", 1 } }
    local found = {}
    for i, case in ipairs(cases) do
        local ok, value = pcall(string.format, case[1], case[2])
        if ok and #value > 2 ^ 20 then found[#found + 1] = "#" .. i .. " made " .. #value .. " bytes" end
        if pythonism(value) then found[#found + 1] = "#" .. i .. ": " .. value end
    end
    return collect(found)
end

-- Indices at the ends of the integer range.
A.string_index_overflow = function()
    local big, small = 2 ^ 53, -2 ^ 53
    local found = {}
    -- LuaJIT takes these arguments as 32-bit integers (they wrap); only sizes and text are checked.
    local checks = {
        { "sub", function() return #("hello"):sub(small, big) end, 5 },
        { "sub2", function() return #("hello"):sub(big, small) end, 0 },
        { "byte", function() return select("#", ("hi"):byte(small, big)) end, 2 },
        { "find", function() return ("hello"):find("l", small) or 0 end, 5 },
        { "find2", function() return ("hello"):find("l", big) or 0 end, 5 },
        { "sub max", function() return #("hello"):sub(2 ^ 63, -2 ^ 63) end, 5 },
    }
    for _, c in ipairs(checks) do
        local ok, value = pcall(c[2])
        if ok and (type(value) ~= "number" or value > c[3]) then found[#found + 1] = c[1] .. " gave " .. tostring(value) end
        if not ok and pythonism(value) then found[#found + 1] = c[1] .. ": " .. value end
    end
    return collect(found)
end

-- unpack and select with huge ranges: an error, not millions of values.
A.unpack_overflow = function()
    local found = {}
    local cases = { { {}, 1, 1e8 }, { {}, 1, 2 ^ 31 }, { {}, -2 ^ 31, 2 ^ 31 }, { {}, 1, 2 ^ 53 },
        { {}, -2 ^ 53, 2 ^ 53 } }
    for i, case in ipairs(cases) do
        local ok, n = pcall(function() return select("#", unpack_(case[1], case[2], case[3])) end)
        if ok and n > 10000 then found[#found + 1] = "#" .. i .. " gave " .. n .. " values"
        elseif not ok and pythonism(n) then found[#found + 1] = "#" .. i .. ": " .. n end
    end
    local ok, text = pcall(table.concat, {}, "", 1, 2 ^ 31)
    if ok and text ~= "" or pythonism(text) then found[#found + 1] = "concat: " .. tostring(text) end
    return collect(found)
end

-- os.date with odd formats and times: a string, a table or a clear error.
A.os_date_formats = function()
    local cases = { { "%Ez" }, { "%" }, { "%Q" }, { "%E" }, { "%O" }, { "%#c" }, { "\0%Y" }, { ("%c"):rep(1000) },
        { "*t", 2 ^ 60 }, { "!*t", -2 ^ 60 }, { "%c", 2 ^ 53 }, { "!%c", -2 ^ 53 }, { "%c", 0 / 0 },
        { "%c", 1 / 0 }, { "*t", 1e308 }, { "%Y", -62135596801 }, { "%s" }, { "%n%t%%" }, { {} },
        { "%Y", "x" }, { "%c", 2 ^ 31 } }
    local found = {}
    for i, case in ipairs(cases) do
        local ok, value = pcall(os.date, case[1], case[2])
        if ok and type(value) ~= "string" and type(value) ~= "table" and value ~= nil then
            found[#found + 1] = "#" .. i .. " gave a " .. type(value)
        end
        if pythonism(value) then found[#found + 1] = "#" .. i .. ": " .. value end
    end
    return collect(found)
end

-- os.time and os.difftime out of range.
A.os_time_overflow = function()
    local cases = { { year = 2 ^ 62, month = 1, day = 1 }, { year = -2 ^ 62, month = 1, day = 1 },
        { year = 1e308, month = 1, day = 1 }, { year = 2000, month = 2 ^ 40, day = 1 },
        { year = 2000, month = 1, day = -2 ^ 40 }, { year = "x", month = 1, day = 1 },
        { year = 2000, month = 1, day = 1, hour = 0 / 0 }, { year = 2000, month = 1, day = 1, sec = 2 ^ 53 },
        { year = {}, month = 1, day = 1 }, {} }
    local found = {}
    for i, case in ipairs(cases) do
        local ok, value = pcall(os.time, case)
        if ok and type(value) ~= "number" and value ~= nil then found[#found + 1] = "#" .. i .. " gave a " .. type(value) end
        if pythonism(value) then found[#found + 1] = "#" .. i .. ": " .. value end
    end
    for i, case in ipairs({ { 1e308, -1e308 }, { "x", 1 }, { 2 ^ 63, -2 ^ 63 }, { {}, {} } }) do
        local ok, value = pcall(os.difftime, case[1], case[2])
        if pythonism(value) then found[#found + 1] = "difftime #" .. i .. ": " .. value end
    end
    return collect(found)
end

-- Runaway recursion through calls, metamethods, pcall and callbacks ends in a catchable error.
A.deep_recursion = function()
    local found = {}
    local function rec(n) return 1 + rec(n + 1) end
    local looped = setmetatable({}, {})
    getmetatable(looped).__index = looped
    getmetatable(looped).__newindex = looped
    local recurse_index = setmetatable({}, { __index = function(t, k) return t[k] end })
    local function nested_pcall() return pcall(nested_pcall) end
    local cases = {
        { "call", function() return rec(1) end },
        { "__index loop", function() return looped.x end },
        { "__newindex loop", function() looped.x = 1 end },
        { "__index recursion", function() return recurse_index.x end },
        { "sort comparator", function() table.sort({ 3, 2, 1 }, function() error("cmp") end) end },
    }
    for _, case in ipairs(cases) do
        local ok, err = pcall(case[2])
        if ok then found[#found + 1] = case[1] .. " returned"
        elseif pythonism(err) then found[#found + 1] = case[1] .. ": " .. tostring(err) end
    end
    local ok = pcall(nested_pcall)
    if not ok then found[#found + 1] = "nested pcall escaped its pcall" end
    return collect(found)
end

-- Read-only standard and petrel tables refuse assignment, whichever way it is written.
A.library_assignment = function()
    local found = {}
    for _, lib in ipairs(LIB_NAMES) do
        local t = _G[lib]
        if type(t) == "table" then
            if pcall(function() t.zz_assigned = true end) then found[#found + 1] = lib .. ".zz_assigned" end
            if pcall(function() t[LIB_FIELDS[lib][1]] = nil end) then found[#found + 1] = lib .. " field removed" end
        end
    end
    return collect(found)
end

-- _G is the request's own: its metatable is hidden, base is not reachable behind it.
A.env_proxy = function()
    local found = {}
    if type(getmetatable(_G)) == "table" then found[#found + 1] = "getmetatable(_G)" end
    if pcall(setmetatable, _G, {}) then found[#found + 1] = "setmetatable(_G)" end
    if rawget(_G, "__index") ~= nil or _G.__index ~= nil then found[#found + 1] = "_G.__index" end
    if not rawequal(rawget(_G, "_G"), _G) or not rawequal(_G._G._G, _G) then found[#found + 1] = "_G._G" end
    if next(_G) ~= nil then found[#found + 1] = "next(_G) = " .. tostring(next(_G)) end
    for k in pairs(_G) do found[#found + 1] = "pairs(_G) has " .. tostring(k) break end
    if rawlen(_G) ~= 0 then found[#found + 1] = "rawlen(_G)" end
    return collect(found)
end

-- collectgarbage and friends, by every name.
A.gc_control = function()
    return blocked_if_nil(
        function() return collectgarbage end, function() return gcinfo end,
        function() return newproxy end, function() return rawget(_G, "collectgarbage") end,
        function() return ("x").collectgarbage end)
end

-- (1) Writes to globals of every kind land in the request's overlay.
A.globals_poison = function()
    _G.print = function() end
    _G.tostring = function() return "pwned" end
    _G.error = false
    _G._G = nil
    _G.LOG_ERR = 99
    _G.zz_global = "poison"
    rawset(_G, "zz_rawset_env", "poison")
    rawset(_G, "pairs", false)
    _G.string = false
    _G.petrel = { add_route = function() end }
    setmetatable = function() end
    return "poisoned"
end
A.globals_check = function()
    local found = dirty()
    return #found == 0 and "clean" or ("escaped: " .. table.concat(found, ", "))
end

-- (2) A handler redefined at request time is not what the next request calls.
A.handler_shadow = function()
    normal = function(request, response) response.content = "pwned" return response end
    rawset(_G, "normal", normal)
    return "poisoned"
end

-- (3) rawset on a library table: the proxy itself is shared by every request of the state.
A.rawset_library_poison = function()
    pcall(rawset, string, "zz_rawset", "poison")
    pcall(rawset, os, "time", function() return 0 end)
    pcall(rawset, petrel, "zz_rawset", "poison")
    return "poisoned"
end
A.rawset_library_check = function()
    local found = {}
    if string.zz_rawset ~= nil then found[#found + 1] = "string.zz_rawset" end
    if petrel.zz_rawset ~= nil then found[#found + 1] = "petrel.zz_rawset" end
    if os.time() == 0 then found[#found + 1] = "os.time replaced" end
    pcall(rawset, string, "zz_rawset", nil)
    pcall(rawset, os, "time", nil)
    pcall(rawset, petrel, "zz_rawset", nil)
    return #found == 0 and "clean" or ("escaped: " .. table.concat(found, ", "))
end

-- (4) pairs() on a library table hands out its field table through __pairs.
A.pairs_fields_poison = function()
    for _, lib in ipairs({ "string", "petrel", "os" }) do
        local _, fields = pairs(_G[lib])
        pcall(function() fields.zz_pairs = "poison" end)
    end
    return "poisoned"
end
A.pairs_fields_check = function()
    local found = {}
    for _, lib in ipairs({ "string", "petrel", "os" }) do
        if _G[lib].zz_pairs ~= nil then found[#found + 1] = lib .. ".zz_pairs" end
        local _, fields = pairs(_G[lib])
        pcall(function() fields.zz_pairs = nil end)
    end
    if ("x").zz_pairs ~= nil then found[#found + 1] = "string method zz_pairs" end
    return #found == 0 and "clean" or ("escaped: " .. table.concat(found, ", "))
end

-- (5) table.insert writes past metamethods on some runtimes: into a library proxy, into _G.
A.table_insert_poison = function()
    pcall(table.insert, math, "zz_insert")
    pcall(table.insert, _G, "zz_insert")
    return "poisoned"
end
A.table_insert_check = function()
    local found = {}
    if math[1] ~= nil then found[#found + 1] = "math[1] = " .. tostring(math[1]) end
    if _G[1] ~= nil then found[#found + 1] = "_G[1] = " .. tostring(_G[1]) end
    if math[1] ~= nil then pcall(table.remove, math) end
    if _G[1] ~= nil then pcall(table.remove, _G) end
    return #found == 0 and "clean" or ("escaped: " .. table.concat(found, ", "))
end

-- (6) The require cache: a module's table, shared by every request, changed by one.
A.require_cache_poison = function()
    require("lib.helper").greet = function() return "pwned" end
    return "poisoned"
end
A.require_cache_check = function()
    local greeting = require("lib.helper").greet("lua")
    helper.greet = ORIGINAL_GREET
    return greeting == "hello lua" and "clean" or ("escaped: greet answers " .. tostring(greeting))
end

-- (7) A table the service stored in a global at load time.
A.load_time_table_poison = function()
    SHARED.value = "pwned"
    return "poisoned"
end
A.load_time_table_check = function()
    local value = SHARED.value
    SHARED.value = "original"
    return value == "original" and "clean" or ("escaped: SHARED.value is " .. tostring(value))
end

-- (7b) Deeper: a nested table, a field deleted, a field added, a metatable's table, a metatable.
A.load_time_deep_poison = function()
    DEEP.nested.n = 99
    table.insert(DEEP.nested.list, 4)
    DEEP.gone = nil
    DEEP.added = true
    getmetatable(CLASS).__index.kind = "pwned"
    setmetatable(DEEP, { __index = function() return "pwned" end })
    return "poisoned"
end
A.load_time_deep_check = function()
    local found = {}
    if DEEP.nested.n ~= 1 then found[#found + 1] = "DEEP.nested.n" end
    if #DEEP.nested.list ~= 3 then found[#found + 1] = "DEEP.nested.list" end
    if DEEP.gone ~= "here" then found[#found + 1] = "DEEP.gone" end
    if rawget(DEEP, "added") ~= nil then found[#found + 1] = "DEEP.added" end
    if CLASS.kind ~= "original" then found[#found + 1] = "CLASS.kind" end
    if getmetatable(DEEP) ~= nil then found[#found + 1] = "DEEP's metatable" end
    return #found == 0 and "clean" or ("escaped: " .. table.concat(found, ", "))
end

-- (7c) A module that a request is the first to require.
A.late_module_poison = function()
    require("lib.late").value = "pwned"
    return "poisoned"
end
A.late_module_check = function()
    local value = require("lib.late").value
    return value == "original" and "clean" or ("escaped: lib.late's value is " .. tostring(value))
end

-- (8) A finalizer left by one request runs later, outside it, and sees what is current then.
A.gc_poison = function(request)
    local keep = {}
    local function finalizer()
        GC_SEEN[#GC_SEEN + 1] = tostring(rawget(_G, "zz_gc_probe"))
    end
    for i = 1, 50 do
        local ok, object = pcall(setmetatable, {}, { __gc = finalizer })
        keep[i] = object
    end
    ATTEMPT_KEEP = keep   -- alive until this request's globals go
    return "poisoned"
end
A.gc_check = function()
    zz_gc_probe = "the next request"
    -- Garbage for several full collections even of a heap grown by earlier attempts (some 400 MB
    -- in 4 KiB strings, none of it kept); stop once every finalizer has run.
    local block = ("x"):rep(4096)
    for _ = 1, 5 do
        for i = 1, 20000 do local garbage = block .. i end
        if #GC_SEEN >= 50 then break end
    end
    local seen = GC_SEEN[1]
    local n = #GC_SEEN
    for i = n, 1, -1 do GC_SEEN[i] = nil end
    if n == 0 then return "clean" end
    return "escaped: " .. n .. " finalizers of an earlier request ran; the first saw zz_gc_probe=" .. seen
end

-- (9) math.randomseed in one request fixes what math.random gives the next.
A.random_seed = function()
    math.randomseed(12345)
    return "seeded"
end
A.random_draw = function()
    return string.format("%.0f", math.random(1, 2 ^ 30))
end

-- (10) Routes, static directories and native libraries added while a request runs.
A.add_route_at_request = function()
    local ok, err = pcall(petrel.add_route, "/zz-injected", "normal")
    return ok and "added" or "blocked"
end
A.add_directory_route_at_request = function(request)
    local ok = pcall(petrel.add_directory_route, "/zz-files/", request.args.dir)
    return ok and "added" or "blocked"
end
A.load_lib_at_request = function(request)
    pcall(petrel.add_lib_search_path, request.args.dir)
    local ok, err = pcall(petrel.load_lib, "zz_evil")
    if type(err) == "string" and err:find("defines no 'library'", 1, true) then return "imported" end
    return ok and "imported" or "blocked"
end

function attempt(request, response)
    local fn = ATTEMPTS[request.args.what]
    if fn == nil then
        response.status = 404
        response.content = "no attempt " .. tostring(request.args.what)
        return response
    end
    local ok, result = pcall(fn, request)
    response.content = ok and tostring(result) or ("error: " .. tostring(result))
    return response
end
"""

# Only runtimes with integers and bitwise operators parse this file (Lua 5.3 and later, lark).
INTEGERS = r"""
ATTEMPTS = ATTEMPTS or {}
-- Integer arithmetic wraps at 64 bits, as in Lua: no unbounded integers in the interpreter.
ATTEMPTS.integer_overflow = function()
    local found = {}
    local max, min = math.maxinteger, math.mininteger
    local checks = {
        { "max + 1", function() return max + 1 end, min },
        { "max * 2", function() return max * 2 end, -2 },
        { "min // -1", function() return min // -1 end, min },
        { "min % -1", function() return min % -1 end, 0 },
        { "-min", function() return -min end, min },
        { "1 << 64", function() return 1 << 64 end, 0 },
        { "1 << 63", function() return 1 << 63 end, min },
        { "abs(min)", function() return math.abs(min) end, min },
        { "max * max", function() return max * max end, 1 },
        { "tointeger(2^63)", function() return math.tointeger(2 ^ 63) end, nil },
        { "%d of min", function() return string.format("%d", min) end, "-9223372036854775808" },
        { "tonumber", function() return tonumber("9223372036854775808") end, 2 ^ 63 },
        { "tonumber 5000 digits", function() return tonumber(("9"):rep(5000)) end, math.huge },
        { "pack", function() return #string.pack("j", max) end, 8 },
    }
    for _, c in ipairs(checks) do
        local ok, value = pcall(c[2])
        if not ok then found[#found + 1] = c[1] .. ": " .. tostring(value)
        elseif value ~= c[3] or math.type(value) ~= math.type(c[3]) then
            found[#found + 1] = c[1] .. " = " .. tostring(value)
        end
    end
    return #found == 0 and "blocked" or ("escaped: " .. table.concat(found, "; "))
end
"""

# Only Lua 5.4 and later (and lark) parse <close>.
CLOSE = r"""
ATTEMPTS = ATTEMPTS or {}
-- A to-be-closed variable closes inside its request, even across a yield to the engine.
ATTEMPTS.close_poison = function()
    local ok = pcall(function()
        local x <close> = setmetatable({}, { __close = function() zz_close = "closed" end })
        petrel.sleep_millis(1)
    end)
    return "poisoned"
end
ATTEMPTS.close_check = function()
    return zz_close == nil and "clean" or ("escaped: zz_close = " .. tostring(zz_close))
end
"""

HELPER = """\
local M = {}
function M.greet(name) return "hello " .. name end
return M
"""

RAISES = """\
local name = ...
if name == "lib.raises" then error("module raised") end
return {}
"""

EVIL = """\
from pathlib import Path
Path(__file__).with_suffix(".imported").write_text("imported at request time")
"""

INTEGER_RUNTIMES = frozenset({LARK, LUA53, LUA54, LUA55})
CLOSE_RUNTIMES = frozenset({LARK, LUA54, LUA55})


@dataclass
class Site:
    server: ServerProcess
    engine: str
    root: Path
    outside: Path
    pylib: Path

    def get(self, path: str, timeout: float = 30, **params: str) -> httpx.Response:
        return httpx.get(f"{self.server.url}{path}", params=params, timeout=timeout)

    def attempt(self, what: str, **params: str) -> str:
        reply = self.get("/attempt", what=what, **params)
        assert reply.status_code == 200, (reply.status_code, reply.text, self.server.log()[-3000:])
        return reply.text

    def state(self) -> str:
        return self.get("/state").text


def escape_files(engine: str) -> dict[str, str]:
    files = {"escapes.lua": HELPERS + SERVICE, "lib/helper.lua": HELPER, "lib/raises.lua": RAISES,
             "lib/late.lua": 'return { value = "original" }\n'}
    if engine in INTEGER_RUNTIMES:
        files["integers.lua"] = INTEGERS
    if engine in CLOSE_RUNTIMES:
        files["close.lua"] = CLOSE
    return files


def _start(tmp: Path, spec: tuple[str, str | None], files: dict[str, str] | None = None,
           *options: str) -> Site:
    """One server for one engine/runtime: the service, a symlinked file and directory pointing out
    of lua.root, a directory outside it, and a Python file that records being imported."""
    engine = spec_id(spec)
    root = tmp / "service"
    write_service(root, files if files is not None else escape_files(engine))
    (tmp / "secret.lua").write_text("return 'secret'\n")
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "mod.lua").write_text("return 'outside module'\n")
    (outside / "secret.txt").write_text("outside lua.root\n")
    (root / "outside.lua").symlink_to(tmp / "secret.lua")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    pylib = tmp / "pylib"
    pylib.mkdir()
    (pylib / "zz_evil.py").write_text(EVIL)
    server = launch_server(tmp, root, spec, *options, statebuffer=1)
    server.wait_for_log("listening")
    return Site(server, engine, root, outside, pylib)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """site(spec) -> the one running server for that engine/runtime, started on first use."""
    started: dict[str, Site] = {}

    def site(spec: tuple[str, str | None]) -> Site:
        reason = engine_available(*spec)
        if reason:
            pytest.skip(reason)
        key = spec_id(spec)
        if key not in started:
            started[key] = _start(tmp_path_factory.mktemp(f"site{len(started)}"), spec)
        assert started[key].server.process.poll() is None, started[key].server.log()[-3000:]
        return started[key]

    yield site
    for s in started.values():
        s.server.stop()


@dataclass(frozen=True)
class Attempt:
    name: str
    escapes: frozenset = frozenset()     # engines where it currently gets through
    reason: str = ""
    only: frozenset = EVERY              # engines the attempt applies to


def cases(attempts: list[Attempt]) -> list:
    params = []
    for spec in ALL_SPECS:
        engine = spec_id(spec)
        for a in attempts:
            if engine not in a.only:
                continue
            marks = [pytest.mark.xfail(strict=True, reason=f"escape: {a.reason}")] if engine in a.escapes else []
            params.append(pytest.param(spec, a.name, marks=marks, id=f"{engine}-{a.name}"))
    return params


# One request each; the answer must be "blocked".
SINGLE = [
    Attempt("string_metatable"),
    Attempt("string_dump"),
    Attempt("forbidden_globals"),
    Attempt("os_forbidden"),
    Attempt("coroutine_paths"),
    Attempt("library_metatables"),
    Attempt("hidden_fields"),
    Attempt("python_attributes"),
    Attempt("tostring_reprs"),
    Attempt("tostring_metamethods"),
    Attempt("error_values"),
    Attempt("stdlib_python_errors"),
    Attempt("library_python_errors"),
    Attempt("method_forged_self"),
    Attempt("method_cross_class_self"),
    Attempt("object_internals"),
    Attempt("require_traversal"),
    Attempt("require_runtime_modules"),
    Attempt("require_odd_values"),
    Attempt("string_rep_overflow"),
    Attempt("string_format_overflow"),
    Attempt("string_index_overflow"),
    Attempt("unpack_overflow"),
    Attempt("os_date_formats"),
    Attempt("os_time_overflow"),
    Attempt("deep_recursion"),
    Attempt("library_assignment"),
    Attempt("env_proxy"),
    Attempt("gc_control"),
    Attempt("integer_overflow", only=INTEGER_RUNTIMES),
]


@pytest.mark.parametrize("spec,what", cases(SINGLE))
def test_attempt_blocked(sites, spec, what):
    site = sites(spec)
    assert site.attempt(what, root=str(site.root)) == "blocked"
    assert site.get("/normal").text == "normal /normal"


# A request that poisons, then a request on the same state that must see nothing of it.
TWO_STEP = [
    Attempt("globals"),
    Attempt("rawset_library"),
    Attempt("pairs_fields"),
    Attempt("table_insert"),
    Attempt("require_cache"),
    Attempt("load_time_table"),
    Attempt("load_time_deep"),
    Attempt("late_module"),
    Attempt("gc"),
    Attempt("close", only=CLOSE_RUNTIMES),
]


@pytest.mark.parametrize("spec,what", cases(TWO_STEP))
def test_no_leak_to_next_request(sites, spec, what):
    site = sites(spec)
    before = site.state()
    assert site.attempt(f"{what}_poison") == "poisoned"
    answer = site.attempt(f"{what}_check")
    assert site.state() == before, "the two requests ran on different states; the check proves nothing"
    assert answer == "clean"


@pytest.mark.parametrize("spec", [pytest.param(s, id=spec_id(s)) for s in ALL_SPECS])
def test_handler_redefined_at_request_time(sites, spec):
    site = sites(spec)
    assert site.attempt("handler_shadow") == "poisoned"
    assert site.get("/normal").text == "normal /normal"


def engines(escapes: frozenset = frozenset(), reason: str = "") -> list:
    marks = [pytest.mark.xfail(strict=True, reason=f"escape: {reason}")]
    return [pytest.param(s, id=spec_id(s), marks=marks if spec_id(s) in escapes else [])
            for s in ALL_SPECS]


@pytest.mark.parametrize("spec", engines())
def test_random_seed_does_not_reach_next_request(sites, spec):
    site = sites(spec)
    draws = []
    for _ in range(2):
        assert site.attempt("random_seed") == "seeded"
        draws.append(site.attempt("random_draw"))
    # With the seed gone at the end of its request, two draws agree one time in 2^30.
    assert draws[0] != draws[1], f"math.randomseed in one request fixed the next request's math.random: {draws}"


@pytest.mark.parametrize("spec", engines())
def test_add_route_at_request_time(sites, spec):
    site = sites(spec)
    site.attempt("add_route_at_request")
    assert site.get("/zz-injected").status_code == 404


@pytest.mark.parametrize("spec", engines())
def test_add_directory_route_at_request_time(sites, spec):
    site = sites(spec)
    site.attempt("add_directory_route_at_request", dir=str(site.outside))
    reply = site.get("/zz-files/secret.txt")
    assert reply.status_code == 404, reply.text


@pytest.mark.parametrize("spec", engines())
def test_load_lib_at_request_time(sites, spec):
    site = sites(spec)
    marker = site.pylib / "zz_evil.imported"
    answer = site.attempt("load_lib_at_request", dir=str(site.pylib))
    assert not marker.exists(), "a request made the server import a Python file of its choosing"
    assert answer == "blocked"


RAISE_CASES = [Attempt("tostring_errors"), Attempt("tostring_yields"), Attempt("tostring_not_string"),
               Attempt("function")]
RESPONSE_CASES = [Attempt("index_errors"), Attempt("index_yields"), Attempt("headers_pairs_yields"),
                  Attempt("headers_index_errors")]
PYTHON_IN_LOG = ("internal error", "Traceback", "object at 0x", "<function", "<built-in", "<bound")


def python_in(text: str) -> list[str]:
    return [marker for marker in PYTHON_IN_LOG if marker in text]


@pytest.mark.parametrize("spec,how", cases(RAISE_CASES))
def test_error_object_that_fails_as_text(sites, spec, how):
    """An error whose object cannot be made into text (its __tostring fails, yields, returns a
    table; or it is a function) is still the handler's failure: a 500 and a Lua error in the log,
    not an internal error with a Python traceback or a Python repr."""
    site = sites(spec)
    start = len(site.server.log())
    reply = site.get("/raise", how=how)
    assert (reply.status_code, reply.text) == (500, "500 Internal Server Error\n")
    assert site.get("/normal").text == "normal /normal"
    new_log = site.server.log()[start:]
    assert python_in(new_log) == [], new_log[-3000:]


@pytest.mark.parametrize("spec,how", cases(RESPONSE_CASES))
def test_response_that_runs_code_when_read(sites, spec, how):
    """A response table (or headers table) whose metamethods error or yield while the engine reads
    it: an answer (the fields as they are, or a 500), never an internal error."""
    site = sites(spec)
    start = len(site.server.log())
    reply = site.get("/bad_response", how=how)
    assert reply.status_code in (200, 500)
    assert site.get("/normal").text == "normal /normal"
    new_log = site.server.log()[start:]
    assert python_in(new_log) == [], new_log[-3000:]


# Code that runs away where the sandbox cannot see it: loops the check-in instrumentation misses
# (it reads the source differently from Lua's lexer), C functions that never return, recursion in C.
# lua.timeout is 500 ms and lua.max-memory 32 MiB here; each must end in a 500 (or the 503 of a
# stopped handler) within 3 s and leave the server answering. These get a server of their own, started again after one of them hangs or kills it.
RUNAWAY_SERVICE = {
    "bootstrap.lua": """\
function bootstrap()
    petrel.add_route("/normal", "normal")
    petrel.add_route("/cr_comment", "cr_comment")
    petrel.add_route("/crlf_string", "crlf_string")
    petrel.add_route("/z_escape", "z_escape")
    petrel.add_route("/pattern_backtracking", "pattern_backtracking")
    petrel.add_route("/tostring_recursion", "tostring_recursion")
    petrel.add_route("/gsub_recursion", "gsub_recursion")
    petrel.add_route("/gsub_memory", "gsub_memory")
    petrel.add_route("/plain_loop", "plain_loop")
end
function normal(request, response) response.content = "normal" return response end
""",
    # Lua ends a comment at a carriage return; a scanner that reads comments to the line feed
    # sees no `do` here.
    "cr_comment.lua": "function cr_comment(request, response) -- to the end of the line\r while true do end end\n",
    # A backslash and CR LF in a string is one escaped newline to Lua; a scanner that ends strings
    # at a line feed takes the closing quote for an opening one and the loop for string text.
    "crlf_string.lua": 'function crlf_string(request, response) local s = "\\\r\n" while true do end --"\nend\n',
    "runaway.lua": """\
function pattern_backtracking(request, response)
    response.content = tostring(string.find(("a"):rep(40), ("a*"):rep(40) .. "b"))
    return response
end
local looping = setmetatable({}, { __tostring = function(self) return tostring(self) end })
function tostring_recursion(request, response)
    response.content = tostring(looping)
    return response
end
local function nested(s) return (string.gsub(s, ".", nested)) end
function gsub_recursion(request, response)
    response.content = nested("ab")
    return response
end
function gsub_memory(request, response)
    -- one C call building 256 MiB
    local s = string.gsub(("x"):rep(2 ^ 15), "x", ("y"):rep(2 ^ 13))
    response.content = tostring(#s)
    return response
end
function plain_loop(request, response)
    while true do end
end
""",
}
# \z (skip the following white space, newlines included) is Lua 5.2 and later, and LuaJIT.
Z_ESCAPE = 'function z_escape(request, response) local s = "\\z\n" while true do end --"\nend\n'
RUNAWAY_OPTIONS = ("--lua.timeout=500", "--lua.max-memory=32")


@pytest.fixture(scope="module")
def runaway_sites(tmp_path_factory):
    """site(spec) -> a running runaway server for that engine/runtime, a new one if the last died."""
    started: dict[str, Site] = {}

    def site(spec: tuple[str, str | None]) -> Site:
        reason = engine_available(*spec)
        if reason:
            pytest.skip(reason)
        key = spec_id(spec)
        current = started.get(key)
        if current is None or current.server.process.poll() is not None:
            files = dict(RUNAWAY_SERVICE)
            if key != LUA51:
                files["z_escape.lua"] = Z_ESCAPE
            if key == LARK:
                # lua_interp's lexer runs a comment on to the line feed, so this file does not
                # load there (Lua ends the comment at the carriage return).
                del files["cr_comment.lua"]
            started[key] = _start(tmp_path_factory.mktemp(f"runaway-{key}"), spec, files, *RUNAWAY_OPTIONS)
        return started[key]

    yield site
    for s in started.values():
        s.server.stop(timeout=5)


UNCHECKED = ("the loop gets no check-ins, so lua.timeout never stops it and the lupa server's "
             "event loop is held for good")
RUNAWAY = [
    Attempt("plain_loop"),
    Attempt("cr_comment", only=EVERY - {LARK}),
    Attempt("crlf_string"),
    Attempt("z_escape", only=EVERY - {LUA51}),
    Attempt("pattern_backtracking"),
    Attempt("tostring_recursion"),
    Attempt("gsub_recursion"),
    Attempt("gsub_memory"),
]


@pytest.mark.parametrize("spec,what", cases(RUNAWAY))
def test_runaway_code_is_stopped(runaway_sites, spec, what):
    site = runaway_sites(spec)
    try:
        reply = site.get(f"/{what}", timeout=3)
    except httpx.TransportError as exc:
        # Hung (Lua holds the event loop) or dead: kill it, the next case gets a new server.
        alive = site.server.process.poll() is None
        site.server.process.kill()
        site.server.process.wait(10)
        site.server.stopped = True
        pytest.fail(f"{what}: {'no answer in 3 s' if alive else 'the server died'} ({type(exc).__name__}); "
                    f"log: {site.server.log()[-1500:]}")
    assert reply.status_code in (500, 503), reply.text[:200]   # a Lua error, or stopped at a limit
    assert site.get("/normal").text == "normal"


@pytest.mark.parametrize("spec", [pytest.param(s, id=spec_id(s)) for s in ALL_SPECS])
def test_state_clean_after_every_attempt(sites, spec):
    """Runs after every attempt above on this engine: the server answers and the state is as new."""
    site = sites(spec)
    assert site.get("/normal/after").text == "normal /normal/after"
    assert site.get("/clean").text == "clean"
    assert site.get("/clean").text == "clean"
    assert site.server.process.poll() is None

"""The restricted environment: what handlers get, and nothing that reaches files, processes,
bytecode, coroutines, the debug library, the FFI or Python."""

from __future__ import annotations

import httpx
import pytest

PROBE = """
function bootstrap()
    petrel.add_route("/probe", "probe")
    petrel.add_route("/escape", "escape")
    petrel.add_route("/require", "req")
end

local function kind(path)
    local ok, value = pcall(function()
        local v = _G
        for part in string.gmatch(path, "[^.]+") do
            if v == nil then return nil end
            v = v[part]
        end
        return v
    end)
    if not ok then return "error" end
    return type(value)
end

function probe(request, response)
    local out = {}
    for name in string.gmatch(request.args.names, "[^,]+") do
        out[#out + 1] = name .. "=" .. kind(name)
    end
    response.content = table.concat(out, "\\n")
    return response
end

-- Every route out of the sandbox must fail; each attempt answers "blocked" or what leaked.
local attempts = {
    string_metatable = function() return getmetatable("").__index.dump end,
    string_dump_method = function() return ("x").dump end,
    modify_string = function() string.upper = nil; return "modified" end,
    modify_metatable_env = function() setmetatable(_G, {}); return "modified" end,
    python_object = function()
        local m = metric()
        for k, v in pairs(m) do return type(v) end
    end,
    library_attribute = function() return petrel.add_route.__globals__ end,
    python_repr = function()
        local text = tostring(metric()) .. tostring(petrel.add_route)
        if text:find("object at") or text:find("petrel") or text:find("<") then return text end
    end,
    require_outside = function() return require("..secret") end,
    require_absolute = function() return require("/etc/passwd") end,
}

function escape(request, response)
    local f = attempts[request.args.what]
    local ok, value = pcall(f)
    if ok and value ~= nil then
        response.content = "leaked " .. type(value)
    else
        response.content = "blocked: " .. tostring(value)
    end
    return response
end

function req(request, response)
    local mod = require("lib.helper")
    local again = require("lib.helper")
    response.content = mod.greet("lua") .. " " .. tostring(mod == again)
    return response
end
"""

HELPER = """
local M = {}
function M.greet(name) return "hello " .. name end
return M
"""

ALLOWED = ["print", "pairs", "ipairs", "next", "select", "type", "tostring", "tonumber", "error",
           "assert", "pcall", "xpcall", "rawget", "rawset", "rawequal", "rawlen", "setmetatable",
           "getmetatable", "require", "string.format", "string.gsub", "string.rep", "table.concat",
           "table.insert", "table.sort", "math.floor", "math.random", "os.time", "os.clock",
           "os.date", "os.difftime", "petrel.add_route", "petrel.sleep_millis", "metric",
           "base64.encode", "base64.decode", "hash.md5", "hash.sha1", "hash.fnv"]
NUMBERS = ["LOG_EMERG", "LOG_ALERT", "LOG_CRIT", "LOG_ERR", "LOG_WARNING", "LOG_NOTICE",
           "LOG_INFO", "LOG_DEBUG"]
FORBIDDEN = ["io", "os.execute", "os.getenv", "os.remove", "os.rename", "os.exit", "os.tmpname",
             "load", "loadstring", "loadfile", "dofile", "debug", "coroutine", "jit", "ffi",
             "python", "package", "string.dump", "getfenv", "setfenv", "collectgarbage", "module",
             "newproxy", "gcinfo"]


@pytest.fixture
def server(start_server, engine, tmp_path):
    service = {"probe.lua": PROBE, "lib/helper.lua": HELPER}
    secret = tmp_path / "secret.lua"
    secret.write_text("return 'secret'")
    return start_server(service, engine, statebuffer=1)


def probe(server, names):
    reply = httpx.get(f"{server.url}/probe", params={"names": ",".join(names)})
    assert reply.status_code == 200, server.log()
    return dict(line.split("=", 1) for line in reply.text.splitlines())


def test_allowed_functions_present(server):
    kinds = probe(server, ALLOWED)
    assert all(kind in ("function", "table") for kind in kinds.values()), kinds
    assert set(probe(server, NUMBERS).values()) == {"number"}
    assert probe(server, ["string", "table", "math", "os"]) == {
        "string": "table", "table": "table", "math": "table", "os": "table"}


def test_forbidden_names_absent(server):
    kinds = probe(server, FORBIDDEN)
    assert set(kinds.values()) == {"nil"}, kinds


@pytest.mark.parametrize("what", ["string_metatable", "string_dump_method", "modify_string",
                                  "modify_metatable_env", "python_object", "library_attribute",
                                  "python_repr", "require_outside", "require_absolute"])
def test_escapes_blocked(server, what):
    reply = httpx.get(f"{server.url}/escape", params={"what": what})
    assert reply.status_code == 200
    assert reply.text.startswith("blocked"), reply.text


def test_require_loads_modules_under_root(server):
    reply = httpx.get(f"{server.url}/require")
    assert reply.text == "hello lua true"


@pytest.mark.parametrize("runtime", ["lua51", "lua52", "lua53", "lua55"])
def test_sandbox_on_every_lupa_runtime(start_server, runtime):
    """luajit and lua54 run every test above; the other runtimes get the same environment."""
    import importlib
    pytest.importorskip("lupa")
    try:
        importlib.import_module(f"lupa.{runtime}")
    except ImportError:
        pytest.skip(f"lupa has no {runtime} here")
    server = start_server({"probe.lua": PROBE, "lib/helper.lua": HELPER}, ("lupa", runtime), statebuffer=1)
    assert set(probe(server, FORBIDDEN).values()) == {"nil"}
    allowed = probe(server, [name for name in ALLOWED if name != "rawlen"] + ["rawlen"])
    assert all(kind in ("function", "table") for kind in allowed.values()), allowed
    for what in ("string_metatable", "string_dump_method", "modify_string", "modify_metatable_env",
                 "python_object", "library_attribute", "require_outside", "require_absolute"):
        reply = httpx.get(f"{server.url}/escape", params={"what": what})
        assert reply.text.startswith("blocked"), (what, reply.text)
    assert httpx.get(f"{server.url}/require").text == "hello lua true"

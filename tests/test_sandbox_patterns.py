"""Lua patterns matched in Lua (petrel/engines/patterns.lua) give what each runtime's own C string
library gives: string.find, match, gmatch and gsub, results, counts and error messages, on every
lupa runtime. The sandbox sends a call there when its worst case would hold the event loop in C;
the servers of test_limits.py show such a call time-sliced and stopped at lua.timeout."""

from __future__ import annotations

import importlib
import random

import pytest

from petrel.engines.base import read_patterns, read_sandbox

RUNTIMES = ["luajit21", "lua51", "lua52", "lua53", "lua54", "lua55"]
ATOMS = ["a", "b", ".", "%a", "%d", "%s", "%w", "[ab]", "[^a]", "[a-c]", "%%", "%.", "x", "(", ")", "()",
         "%1", "%2", "%0", "%b()", "%f[%w]", "%f[%W]", "^", "$", "[%a_]", "%g", "%z", "%A", "]", "%", "-",
         "[]", "[^]", "[a-]", "[%]]", "%bx", "%f"]
QUANTIFIERS = ["", "", "*", "+", "-", "?"]
SUBJECT_CHARS = "aab()ba_ 1x.%\0"
REPLACEMENTS = [b"-", b"%0%1", b"%%", b"%2", b"%x", b"[%1]", b"%", b"%1%1"]

COMPARE = b"""
local matcher, cfind, cmatch, cgmatch, cgsub = ...
local function pack(...) return { n = select("#", ...), ... } end
local function show(t)
    local out = {}
    for i = 1, t.n do out[i] = type(t[i]) .. ":" .. tostring(t[i]) end
    return table.concat(out, ",")
end
local function call(f, ...) return show(pack(pcall(f, ...))) end
local function all(ok, iterator)
    if not ok then return "error " .. tostring(iterator) end
    local out = {}
    for _ = 1, 30 do
        local r = pack(pcall(iterator))
        out[#out + 1] = show(r)
        if not r[1] or r[2] == nil then break end
    end
    return table.concat(out, "|")
end
local function lua_side(name)
    return function(...) return matcher[name]("", ...) end
end
local lfind, lmatch, lgmatch, lgsub = lua_side("find"), lua_side("match"), lua_side("gmatch"), lua_side("gsub")
local replacements = {
    function(x, y) if x == "a" then return nil end return "<" .. tostring(x) .. tostring(y) .. ">" end,
    function() return 7 end,
    function() return {} end,
    setmetatable({ a = "A", b = false, [1] = "one" }, { __index = function(_, k) return "?" .. tostring(k) end }),
}
return function(s, p, init, repl)
    local c, l = call(cfind, s, p, init), call(lfind, s, p, init)
    if c ~= l then return "find: C " .. c .. " / Lua " .. l end
    c, l = call(cmatch, s, p, init), call(lmatch, s, p, init)
    if c ~= l then return "match: C " .. c .. " / Lua " .. l end
    c, l = all(pcall(cgmatch, s, p, init)), all(pcall(lgmatch, s, p, init))
    if c ~= l then return "gmatch: C " .. c .. " / Lua " .. l end
    replacements[0] = repl
    for i = 0, #replacements do
        for _, n in ipairs({ false, 0, 1, 2 }) do
            local r = replacements[i]
            if n then
                c, l = call(cgsub, s, p, r, n), call(lgsub, s, p, r, n)
            else
                c, l = call(cgsub, s, p, r), call(lgsub, s, p, r)
            end
            if c ~= l then return "gsub " .. tostring(r) .. " " .. tostring(n) .. ": C " .. c .. " / Lua " .. l end
        end
    end
    return nil
end
"""


def runtime(name):
    pytest.importorskip("lupa")
    try:
        return importlib.import_module(f"lupa.{name}").LuaRuntime(encoding=None)
    except ImportError:
        pytest.skip(f"lupa has no {name} here")


def loader(lua):
    return lua.eval(b"loadstring or load")


def random_pattern(rng: random.Random) -> bytes:
    return "".join(rng.choice(ATOMS) + rng.choice(QUANTIFIERS) for _ in range(rng.randint(0, 5))).encode()


def random_subject(rng: random.Random) -> bytes:
    return "".join(rng.choice(SUBJECT_CHARS) for _ in range(rng.randint(0, 12))).encode()


@pytest.mark.parametrize("name", RUNTIMES)
def test_lua_matcher_agrees_with_c(name):
    lua = runtime(name)
    matcher = loader(lua)(read_patterns(), b"=petrel patterns")(lua.eval(b"function() end"),
                                                                 lua.eval(b"debug.getinfo"))
    string = lua.eval(b"string")
    compare = loader(lua)(COMPARE, b"=compare")(matcher, string[b"find"], string[b"match"],
                                                 string[b"gmatch"], string[b"gsub"])
    rng = random.Random(20261202)
    for _ in range(2500):
        subject, pattern = random_subject(rng), random_pattern(rng)
        init = rng.choice([None, 1, 2, -1, -3, 0, 5, 20])
        disagreement = compare(subject, pattern, init, rng.choice(REPLACEMENTS))
        assert disagreement is None, (subject, pattern, init, disagreement)


SANDBOXED = b"""
local find, match, gmatch, gsub = ...
local function pack(...) return { n = select("#", ...), ... } end
local function show(t)
    local out = {}
    for i = 1, t.n do out[i] = type(t[i]) .. ":" .. tostring(t[i]) end
    return table.concat(out, ",")
end
return function(s, p)
    local function run()
        local out = {}
        out[1] = show(pack(find(s, p)))
        out[2] = show(pack(match(s, p, 2)))
        local words = {}
        for a, b in gmatch(s, p) do words[#words + 1] = tostring(a) .. "/" .. tostring(b) end
        out[3] = table.concat(words, " ")
        out[4] = show(pack(gsub(s, p, "<%1>")))
        out[5] = show(pack(gsub(s, p, function(a) return a:upper() end, 3)))
        return table.concat(out, "\\n")
    end
    local r = pack(pcall(run))
    return show(r)
end
"""
# Long enough subjects for these patterns that the sandbox matches them in Lua, cheap for C all the
# same: the answers must be the same, error positions (this chunk's line) included; the last cases
# are not costly, C answers them through the sandbox's wrappers.
COSTLY_CASES = [
    (b"k=v, " * 80, b"(%w+)=(%w+)"),
    (b"  padded  " * 30, b"^%s*(.-)%s*$"),
    (b"(a(b)c) " * 40, b"(%b())%s*(.-)"),
    (b"abab" * 60, b"(a)(b)%1%2"),
    (b"x" * 300, b"(x*)(y?)"),
    (b"a" * 200, b"a*a*%"),
    (b"a" * 200, b"(a*)a*%3"),
    (b"a" * 200, b"a*[a"),
    (b"short", b"[a"),
    (b"short", b"(%w)%2"),
]


@pytest.mark.parametrize("name", RUNTIMES)
def test_sandbox_matches_costly_calls_in_lua_with_the_same_answers(name):
    lua = runtime(name)
    hooks = lua.table_from({b"read_module": None,
                            b"patterns": loader(lua)(read_patterns(), b"=petrel patterns")})
    lua.execute(read_sandbox(), hooks, 0, 0)
    sandboxed = lua.execute(b'return debug.getmetatable("").__index')
    real = lua.eval(b"string")
    chunk = loader(lua)
    ours = chunk(SANDBOXED, b"=cases")(*(sandboxed[f] for f in (b"find", b"match", b"gmatch", b"gsub")))
    theirs = chunk(SANDBOXED, b"=cases")(*(real[f] for f in (b"find", b"match", b"gmatch", b"gsub")))
    for subject, pattern in COSTLY_CASES:
        assert sandboxed[b"find"] is not real[b"find"]
        assert ours(subject, pattern) == theirs(subject, pattern), (subject[:20], pattern)

"""The sandbox's string.gsub with a function (in Lua, so that the callback can yield) gives what
the runtime's own C string.gsub gives, on every lupa runtime: results, counts, errors."""

from __future__ import annotations

import importlib
import random

import pytest

from petrel.engines.base import read_sandbox

RUNTIMES = ["luajit21", "lua51", "lua52", "lua53", "lua54", "lua55"]
SUBJECTS = ["abc", "hello world", "", "a,b,,c", "x=1, y=22", "aaa", "abab", "  lead", "trail  ", "a\0b"]
PATTERNS = ["%w*", "o*", "", ",*", "(o)(%s*)", "^a*", "^", "(%w+)=(%w+)", "a-", "()", "l", "x*", "ab",
            "%s+", "(a)(b)?", "[%w]+$", "(%w)%1", "%f[%w]%w+", ".-b", "^(%s*)"]
CALLBACKS = ['function(...) return nil end', 'function(a) return "<" .. tostring(a) .. ">" end',
             'function(a, b) if b then return tostring(a) .. tostring(b) end return false end',
             'function(a) return 7 end', 'function(a) return 1.5 end']


def runtime(name):
    lupa = pytest.importorskip("lupa")
    try:
        module = importlib.import_module(f"lupa.{name}")
    except ImportError:
        pytest.skip(f"lupa has no {name} here")
    del lupa
    lua = module.LuaRuntime(encoding=None)
    lua.execute(read_sandbox(), lua.table_from({b"read_module": None}), 0, 0)
    sandboxed = lua.execute(b'return debug.getmetatable("").__index.gsub')
    return lua, sandboxed, lua.eval(b"string.gsub")


def outcome(lua, gsub, *args):
    # pcall in Lua: a C error's message then carries no position from our caller.
    result = lua.eval(b"function(f, ...) return {pcall(f, ...)} end")(gsub, *args)
    values = [result[i] for i in range(1, len(result) + 1)]
    if values[0] is False:
        values[1] = values[1].split(b": ", 1)[-1] if b": " in values[1] else values[1]
    return values


@pytest.mark.parametrize("name", RUNTIMES)
def test_gsub_with_a_function_agrees_with_c(name):
    lua, sandboxed, real = runtime(name)
    callbacks = [lua.eval(text.encode()) for text in CALLBACKS]
    rng = random.Random(7)
    cases = [(s, p) for s in SUBJECTS for p in PATTERNS]
    cases += [("".join(rng.choice("ab ,=x") for _ in range(rng.randrange(12))), rng.choice(PATTERNS))
              for _ in range(300)]
    for subject, pattern in cases:
        for callback in callbacks:
            for limit in (None, 0, 1, 2):
                args = (subject.encode(), pattern.encode(), callback) + (() if limit is None else (limit,))
                assert outcome(lua, sandboxed, *args) == outcome(lua, real, *args), (subject, pattern, limit)


@pytest.mark.parametrize("name", RUNTIMES)
def test_gsub_errors_agree_with_c(name):
    lua, sandboxed, real = runtime(name)
    table_result = lua.eval(b"function() return {} end")
    identity = lua.eval(b"function(x) return x end")
    for args in [(b"abc", b"(", identity), (b"abc", b"%", identity), (b"abc", b"b", table_result),
                 (b"abc", b"[a", identity), (b"abc", b"%1", identity)]:
        assert outcome(lua, sandboxed, *args) == outcome(lua, real, *args), args

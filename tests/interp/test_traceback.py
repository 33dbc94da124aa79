"""Tracebacks name functions the way Lua 5.4 does: from how the caller called them."""
import time

import pytest

from petrel.lua_interp import Interpreter, LuaError

CHAIN = """local function lf() error("boom") end
local t = {}
function t.field() lf() end
local obj = {}
function obj:method() t.field() end
function glob() obj:method() end
local up = function() glob() end
local function outer() up() end
outer()
"""


def _error(source):
    st = Interpreter().new_state()
    with pytest.raises(LuaError) as ei:
        st.call(st.load(source, "=input"))
    return ei.value


def test_traceback_names_each_function_as_its_caller_did():
    e = _error(CHAIN)
    assert str(e) == "input:1: boom"
    assert e.traceback == "\n".join([
        "stack traceback:",
        "\t[C]: in function 'error'",
        "\tinput:1: in upvalue 'lf'",
        "\tinput:3: in field 'field'",
        "\tinput:5: in method 'method'",
        "\tinput:6: in function 'glob'",
        "\tinput:7: in upvalue 'up'",
        "\tinput:8: in local 'outer'",
        "\tinput:9: in main chunk",
        "\t[C]: in ?",
    ])


def test_function_called_from_a_library_function_is_named_by_its_position():
    e = _error("local function f() local x = nil + 1 end\nlocal ok = pcall(error)\nstring.gsub('a', 'a', f)\n")
    lines = e.traceback.splitlines()
    assert lines[1] == "\tinput:1: in function <input:1>"
    assert lines[2] == "\t[C]: in function 'string.gsub'"
    assert lines[3] == "\tinput:3: in main chunk"


def test_interrupt_stops_a_backtracking_pattern():
    st = Interpreter().new_state()
    start = time.monotonic()

    def stop():
        if time.monotonic() - start > 0.3:
            raise LuaError("interrupted")
    st.set_interrupt(stop, 100)
    with pytest.raises(LuaError, match="interrupted"):
        st.call(st.load('return string.find(string.rep("a", 40), "a*a*a*a*a*a*a*a*a*b")'))
    assert time.monotonic() - start < 5

"""Smoke tests of the facade: load, call, errors."""
import io

import pytest

from petrel.lua_interp import Interpreter, LuaError, LuaSyntaxError


@pytest.fixture(scope="module")
def interp():
    return Interpreter()


def run(interp, src):
    out = io.BytesIO()
    st = interp.new_state()
    st.stdout = out
    st.call(st.load(src, "=t"))
    return out.getvalue().decode("latin-1")


def test_print_and_arith(interp):
    assert run(interp, "print(1 + 2, 7 // 2, 7 / 2, 2^2, 'a' .. 1)") == "3\t3\t3.5\t4.0\ta1\n"


def test_closures_fresh_per_iteration(interp):
    src = "local f = {} for i = 1, 3 do f[i] = function() return i end end print(f[1](), f[3]())"
    assert run(interp, src) == "1\t3\n"


def test_runtime_error_position(interp):
    st = interp.new_state()
    with pytest.raises(LuaError) as ei:
        st.call(st.load("local x\nreturn x.y", "@h.lua"))
    assert str(ei.value) == "h.lua:2: attempt to index a nil value (local 'x')"


def test_syntax_error(interp):
    st = interp.new_state()
    with pytest.raises(LuaSyntaxError) as ei:
        st.load("function f()\n x = 1\n", "@h.lua")
    assert str(ei.value) == "h.lua:3: 'end' expected (to close 'function' at line 1) near <eof>"

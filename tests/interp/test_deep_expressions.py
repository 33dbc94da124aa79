"""Long and deeply nested expressions compile (Python's parser has a nesting limit of its own)."""

from __future__ import annotations

import pytest

from petrel.lua_interp import Interpreter, LuaError


@pytest.fixture(scope="module")
def state():
    return Interpreter().new_state()


@pytest.mark.parametrize("terms", [10, 60])
def test_long_concatenation_chain(state, terms):
    source = "local q = function(s) return s end\nreturn " + " .. ".join(
        f'q("{i}") .. ","' for i in range(terms))
    (result,) = state.execute(source, "=chain")
    assert result == "".join(f"{i}," for i in range(terms))


def test_too_long_concatenation_is_a_lua_error_if_anything(state):
    # C Lua 5.4 refuses a right-associative chain this deep ("C stack overflow"); here it may work,
    # but it must never be a Python SyntaxError or a crash.
    source = "return " + " .. ".join('"x"' for _ in range(400))
    try:
        (result,) = state.execute(source, "=deep")
    except LuaError:
        return
    assert result == "x" * 400


@pytest.mark.parametrize("terms", [60, 250, 1000])
def test_long_arithmetic_chain(state, terms):
    source = "local x = 1\nreturn " + " + ".join("x * 2" for _ in range(terms))
    (result,) = state.execute(source, "=sum")
    assert result == 2 * terms


@pytest.mark.parametrize("depth", [50, 150])
def test_deeply_parenthesised_expression(state, depth):
    source = "local x = 1\nreturn " + "(" * depth + "x + 1" + ")" * depth
    (result,) = state.execute(source, "=nested")
    assert result == 2


def test_deeply_nested_calls_and_tables(state):
    source = "local function f(v) return v end\nreturn " + "f(" * 80 + "{1}" + ")" * 80 + "[1]"
    (result,) = state.execute(source, "=calls")
    assert result == 1

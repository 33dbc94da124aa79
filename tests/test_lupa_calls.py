"""The lupa engine's generated library calls agree with the general argument conversion.

Every library function's Python end on lupa is written out once (petrel/engines/lupa_calls.py)
with its common arguments checked in line; anything else goes through Export.convert_one. For
any plain Lua values (what lupa passes for nil, booleans, numbers and strings) the generated
call must give what Export.call gives: the same value, or the same Lua error message.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings, strategies as st

pytest.importorskip("lupa")

from petrel.engines.lupa_calls import CallMaker  # noqa: E402
from petrel.libs import Library, LuaRuntimeError  # noqa: E402

library = Library("probe", "functions of every parameter kind")


@library.function
def kinds(s: str, b: bytes, i: int, f: float, flag: bool, anything=None) -> tuple:
    return (s, b, i, f, flag, anything)


@library.function
def defaults(s: str = "x", i: int = 7, b: bytes | None = None) -> tuple:
    return (s, i, b)


@library.function
def rest(first: int, *more) -> tuple:
    return (first,) + more


@library.function
def with_ctx(ctx, name: str) -> str:
    return f"{ctx}:{name}"


class Thing:
    def method(self, n: int, s: str = "d") -> tuple:
        return (self.__class__.__name__, n, s)


lua_values = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1),
                       st.floats(allow_nan=False), st.binary(max_size=8),
                       st.sampled_from([b"12", b" 0x1F ", b"3.5", b"abc", b"\xff"]))


def _general(export, ctx, target, args):
    try:
        return ("ok", export.call(ctx, target, args))
    except LuaRuntimeError as exc:
        return ("error", str(exc))


def _generated(call, args, target=None, method=False):
    out = call(target, *args) if method else call(*args)
    if out[0] is True:
        values = out[1:]
        return ("ok", values[0] if len(values) == 1 else (None if not values else values))
    assert out[0] is False
    return ("error", out[1].decode("utf-8", "surrogateescape"))


def _maker():
    return CallMaker(logging.getLogger("test"))


@pytest.mark.parametrize("name", ["kinds", "defaults", "rest", "with_ctx"])
@settings(max_examples=150, deadline=None)
@given(args=st.lists(lua_values, max_size=7))
def test_a_generated_call_gives_what_the_general_conversion_gives(name, args):
    export = library.functions[name]
    ctx = "CTX"
    call = _maker().sync_call(export, ctx, None, to_python=lambda v: v, results=lambda v: (True, v))
    assert _generated(call, tuple(args)) == _general(export, ctx, None, tuple(args))


@settings(max_examples=100, deadline=None)
@given(args=st.lists(lua_values, max_size=3))
def test_a_generated_method_checks_its_object_and_arguments(args):
    from petrel.libs.base import Export
    export = Export(Thing.method, "method", library, is_method=True)
    call = _maker().sync_call(export, None, Thing, to_python=lambda v: v, results=lambda v: (True, v))
    assert _generated(call, tuple(args), Thing(), method=True) == _general(export, None, Thing(), tuple(args))
    assert call("not a thing") == (False, b"calling 'method' on bad self")
    assert call() == (False, b"calling 'method' on bad self")


def test_a_failing_function_is_an_internal_error_and_is_logged(caplog):
    lib = Library("failing")

    @lib.function
    def boom() -> None:
        raise KeyError("secret detail")
    call = _maker().sync_call(lib.functions["boom"], None, None, to_python=lambda v: v,
                              results=lambda v: (True, v))
    with caplog.at_level(logging.ERROR):
        assert call() == (False, b"boom: internal error (the server log has the details)")
    assert "library function 'boom' failed" in caplog.text

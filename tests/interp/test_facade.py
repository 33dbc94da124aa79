"""The facade API the server's engine uses: Interpreter, State, LuaError, LuaTable."""
import pytest

from petrel.lua_interp import Interpreter, LuaError, LuaSyntaxError, LuaTable


@pytest.fixture(scope="module")
def interp():
    return Interpreter()


@pytest.fixture
def state(interp):
    return interp.new_state()


def test_load_and_call_returns_tuple(state):
    fn = state.load("return 1, 'two', nil", "=t")
    assert state.call(fn) == (1, "two", None)


def test_call_with_arguments(state):
    fn = state.load("local a, b = ... return a + b", "=t")
    assert state.call(fn, 2, 3) == (5,)


def test_compiled_chunks_are_shared_between_states(interp):
    s1, s2 = interp.new_state(), interp.new_state()
    src = "counter = (counter or 0) + 1 return counter"
    assert s1.call(s1.load(src, "=c")) == (1,)
    assert s1.call(s1.load(src, "=c")) == (2,)
    assert s2.call(s2.load(src, "=c")) == (1,)   # globals differ, code object is the same
    assert interp.compile(src, "=c") is interp.compile(src, "=c")


def test_globals_accept_python_keys_and_values(state):
    state.globals["x"] = 41
    state.globals["name"] = "héllo"       # str is encoded as UTF-8
    state.globals["data"] = {"a": [1, 2, {"b": True}]}
    fn = state.load("return x + 1, #name, data.a[3].b, #data.a", "=t")
    assert state.call(fn) == (42, 6, True, 3)
    assert isinstance(state.globals["data"], LuaTable)


def test_table_from_python(state):
    t = state.table({"k": "v", "list": [10, 20]})
    state.globals["t"] = t
    assert state.call(state.load("return t.k, t.list[2]", "=t")) == ("v", 20)
    assert isinstance(state.table(), LuaTable)


def test_function_wrapping(state):
    seen = []

    def add(a, b):
        seen.append((a, b))
        return a + b

    state.globals["add"] = state.function(add, "add")
    state.globals["pair"] = state.function(lambda: (1, 2))
    state.globals["nothing"] = state.function(lambda: None)
    fn = state.load("return add(2, 3), select('#', nothing()), pair()", "=t")
    assert state.call(fn) == (5, 0, 1, 2)
    assert seen == [(2, 3)]


def test_python_lua_error_is_catchable_with_position(state):
    def fail():
        raise LuaError("nope")
    state.globals["fail"] = state.function(fail)
    fn = state.load("local ok, e = pcall(function()\n  fail()\nend)\nreturn ok, e", "@h.lua")
    assert state.call(fn) == (False, "h.lua:2: nope")


def test_python_exception_becomes_lua_error(state):
    state.globals["boom"] = state.function(lambda: 1 / 0)
    fn = state.load("return pcall(boom)", "=t")
    ok, msg = state.call(fn)
    assert ok is False and "division by zero" in msg
    with pytest.raises(LuaError) as ei:
        state.call(state.load("boom()", "@x.lua"))
    assert "x.lua:1:" in str(ei.value)


def test_lua_error_value_and_traceback(state):
    fn = state.load("local function f()\n  error({code = 7})\nend\nf()", "@e.lua")
    with pytest.raises(LuaError) as ei:
        state.call(fn)
    assert isinstance(ei.value.value, LuaTable) and ei.value.value["code"] == 7
    assert ei.value.traceback.startswith("stack traceback:")
    assert "e.lua:2:" in ei.value.traceback


def test_error_message_has_position(state):
    with pytest.raises(LuaError) as ei:
        state.call(state.load("local t = nil\nreturn t.x", "@m.lua"))
    assert str(ei.value) == "m.lua:2: attempt to index a nil value (local 't')"


def test_syntax_error_message(state):
    with pytest.raises(LuaSyntaxError) as ei:
        state.load("x = = 1", "@handler.lua")
    assert str(ei.value) == "handler.lua:1: unexpected symbol near '='"
    assert isinstance(ei.value, LuaError)


def test_to_python_and_to_lua(state):
    t = state.call(state.load("local t = {1, 2, s = 'é', n = {x = true}} t.self = t return t", "=t"))[0]
    py = state.to_python(t)
    assert py[1] == 1 and py[b"s"] == "é".encode() and py[b"n"] == {b"x": True}
    assert py[b"self"] is py                      # cycles are preserved, not infinite
    assert state.to_lua(b"\xff\x00") == "\xff\x00"
    assert state.to_lua("é") == "\xc3\xa9"
    assert state.to_lua(2 ** 70) == float(2 ** 70)


def test_binary_strings_round_trip(state):
    data = bytes(range(256))
    state.globals["blob"] = data
    out = state.call(state.load("return #blob, blob:sub(2, 3), blob", "=t"))
    assert out[0] == 256 and state.to_python(out[2]) == data


def test_interrupt_can_abort_infinite_loop(state):
    calls = []

    def cb():
        calls.append(1)
        if len(calls) > 5:
            raise LuaError("timeout")
    state.set_interrupt(cb, 100)
    with pytest.raises(LuaError) as ei:
        state.call(state.load("while true do end", "=loop"))
    assert "timeout" in str(ei.value)
    state.set_interrupt(None)


@pytest.mark.parametrize("src", [
    "local i = 0 repeat i = i + 1 until false",
    "for i = 1, math.huge do end",
    "for i = 1, math.maxinteger do end",
    "local function f() return f() end f()",
    "local function f(n) return 1 + f(n) end pcall(f, 1) while true do end",
    "::top:: goto top",
    "for k in pairs(setmetatable({}, {__pairs = function() return function() return 1 end end})) do end",
])
def test_interrupt_covers_every_loop_kind(interp, src):
    st = interp.new_state()
    n = [0]

    def cb():
        n[0] += 1
        if n[0] > 3:
            raise LuaError("stop")
    st.set_interrupt(cb, 1000)
    with pytest.raises(LuaError):
        st.call(st.load(src, "=x"))


def test_memory_hook_sees_big_strings(state):
    sizes = []
    state.set_memory_hook(sizes.append)
    state.call(state.load("local s = string.rep('x', 100000) local t = s .. s", "=m"))
    assert max(sizes) >= 200000
    state.set_memory_hook(None)


def test_memory_hook_may_abort(state):
    def hook(n):
        if n > 10 ** 6:
            raise LuaError("not enough memory")
    state.set_memory_hook(hook)
    fn = state.load("local s = 'x' while true do s = s .. s end", "=m")
    with pytest.raises(LuaError) as ei:
        state.call(fn)
    assert "not enough memory" in str(ei.value)


def test_stack_overflow_is_a_lua_error(state):
    fn = state.load("local function f() return 1 + f() end return pcall(f)", "=so")
    ok, msg = state.call(fn)
    assert ok is False and "stack overflow" in msg


def test_tail_calls_do_not_overflow(state):
    fn = state.load("local function f(n) if n == 0 then return 'ok' end return f(n - 1) end return f(1000000)", "=tc")
    assert state.call(fn) == ("ok",)


def test_print_goes_to_stdout_bytes(state):
    import io
    buf = io.BytesIO()
    state.stdout = buf
    state.call(state.load("print('a', 1, nil, '\\xff')", "=p"))
    assert buf.getvalue() == b"a\t1\tnil\t\xff\n"

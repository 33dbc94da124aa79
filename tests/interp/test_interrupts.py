"""Check-ins: the interrupt callback stops every kind of endless (or merely long) Lua work, and a
LuaInterrupt raised from it is caught by nothing in Lua (pcall, xpcall, __close, handlers)."""
import pytest

from luarun import run_in_thread
from petrel.lua_interp import Interpreter, LuaError, LuaInterrupt

INTERP = Interpreter()


class Stop(LuaInterrupt):
    """What an embedder raises to end a program (a CPU-time limit, a cancelled request)."""


class Soft(LuaError):
    """An ordinary Lua error raised from the interrupt: pcall may catch it."""


def run(source, stop_after=50, every=100, exc=Stop):
    state = INTERP.new_state()
    state.stdout = lambda data: None
    calls = []

    def check():
        calls.append(1)
        if len(calls) >= stop_after:
            raise exc("stopped")

    state.set_interrupt(check, every)
    box = run_in_thread(lambda: state.execute(source, "=prog"))
    return box, len(calls), state


ENDLESS = {
    "while": "while true do end",
    "while_body": "local n = 0 while true do n = n + 1 end",
    "repeat": "repeat until false",
    "numeric_for": "for i = 1, math.maxinteger do end",
    "numeric_for_huge_limit": "for i = 1, math.huge do end",
    "numeric_for_float": "for i = 1.0, math.huge do end",
    "numeric_for_down": "for i = -1, -math.huge, -1 do end",
    "numeric_for_body": "local s = 0 for i = 1, math.maxinteger do s = s + i end",
    "generic_for_lua_iterator": "for k in function() return 1 end do end",
    "generic_for_library_iterator": "for x in rawlen, {} do end",
    "generic_for_ipairs_growing": "local t = {1} for i, v in ipairs(t) do t[#t + 1] = v end",
    "generic_for_ipairs_index": "for i, v in ipairs(setmetatable({}, {__index = function() return 1 end})) do end",
    "goto": "::a:: goto a",
    "goto_in_block": "do local n = 0 ::top:: n = n + 1 goto top end",
    "goto_in_loop": "while true do ::again:: if true then goto again end end",
    "tail_recursion": "local function f() return f() end f()",
    "tail_recursion_args": "local function f(n) return f(n + 1) end f(1)",
    "mutual_tail_recursion": "local g local function f() return g() end function g() return f() end f()",
    "deep_recursion": "local function f(n) return 1 + f(n + 1) end f(1)",
    # functions whose only calls are inline library calls tick on the fallback path only
    "replaced_intrinsic_tail": "math.abs = function(x) return math.abs(x) end math.abs(1)",
    "replaced_intrinsic_value": "math.abs = function(x) return 1 + math.abs(x) end math.abs(1)",
    "replaced_intrinsic_statement": "type = function(x) type(x) end type(1)",
    "replaced_intrinsic_local": "setmetatable = function(t, m) local x = setmetatable(t, m) return x end "
                                "setmetatable({}, {})",
    "pcall_loop": "while true do pcall(function() end) end",
    "pcall_inside": "pcall(function() while true do end end)",
    "xpcall_inside": "xpcall(function() while true do end end, function(m) return m end)",
    "metamethod_loop": "local t = setmetatable({}, {__index = function(t, k) return k end}) "
                       "local i = 0 while true do i = t[i] + 1 end",
    "gsub_lua_callback": "string.gsub(string.rep('x', 10000000), '.', function(c) return c end)",
    "gsub_library_callback": "string.gsub(string.rep('x', 10000000), '.', string.upper)",
    "gsub_table": "string.gsub(string.rep('x', 10000000), '.', {})",
    "gmatch_loop": "for c in string.gmatch(string.rep('x', 10000000), '.') do end",
    "find_backtracking": "string.find(string.rep('a', 5000), '.-.-.-.-b')",
    "match_backtracking": "string.match(string.rep('a', 5000), '(.-)(.-)(.-)b')",
    "sort_comparator": "local t = {} for i = 1, 200000 do t[i] = (i * 7919) % 200000 end "
                       "table.sort(t, function(a, b) return a < b end)",
    "sort_library_comparator": "local t = {} for i = 1, 300000 do t[i] = tostring(i) end "
                               "table.sort(t, rawequal)",
    "sort_lt_metamethod": "local mt = {__lt = function(a, b) return a.v < b.v end} local t = {} "
                          "for i = 1, 200000 do t[i] = setmetatable({v = -i}, mt) end table.sort(t)",
    "concat_index": "table.concat(setmetatable({}, {__index = function() return 'x' end}), '', 1, "
                    "math.maxinteger)",
    "move_huge": "table.move({}, 1, 1 << 40, 1)",
    "move_overlapping": "table.move({1}, 1, 1 << 40, 2)",
    "load_reader": "load(function() return ' ' end)",
    "load_reader_calls": "load(function() return string.rep(' ', 1) end)",
    "string_rep_loop": "while true do local s = string.rep('x', 100) end",
    "coroutine_free_closure_loop": "local function f() return function() end end while true do f()() end",
}


@pytest.mark.parametrize("name", sorted(ENDLESS))
def test_interrupt_stops(name):
    box, calls, _ = run(ENDLESS[name])
    assert isinstance(box.get("error"), Stop), box
    assert calls == 50


@pytest.mark.parametrize("name", ["while", "numeric_for", "goto", "tail_recursion", "gsub_library_callback",
                                  "sort_comparator", "load_reader", "move_huge"])
def test_soft_error_from_interrupt_is_catchable(name):
    src = "local ok, e = pcall(function() %s end) print(ok) return ok, e" % ENDLESS[name]
    box, calls, _ = run(src, stop_after=3, exc=Soft)
    assert box.get("result") is not None, box
    ok, msg = box["result"]
    assert ok is False and "stopped" in str(msg)


def test_pcall_does_not_catch_interrupt():
    box, _, state = run("""
        caught = false
        local ok = pcall(function() while true do end end)
        caught = true
    """)
    assert isinstance(box.get("error"), Stop)
    assert state.globals["caught"] is False


def test_xpcall_handler_does_not_run():
    box, _, state = run("""
        handled = false
        xpcall(function() while true do end end, function(m) handled = true return m end)
        handled = 'after'
    """)
    assert isinstance(box.get("error"), Stop)
    assert state.globals["handled"] is False


def test_close_handler_does_not_run_or_replace():
    box, _, state = run("""
        closed = false
        do
            local x <close> = setmetatable({}, {__close = function() closed = true error('replaced') end})
            while true do end
        end
    """)
    err = box.get("error")
    assert isinstance(err, Stop) and "replaced" not in str(err)
    assert state.globals["closed"] is False


def test_nested_pcalls_and_error_in_handler_let_it_through():
    box, _, state = run("""
        local function spin() while true do end end
        local ok = pcall(pcall, xpcall, spin, function() error('handler ran') end)
        reached = true
    """)
    assert isinstance(box.get("error"), Stop)
    assert state.globals["reached"] is None


def test_interrupt_inside_close_handler_stops_too():
    box, _, state = run("""
        do
            local x <close> = setmetatable({}, {__close = function() while true do end end})
        end
    """)
    assert isinstance(box.get("error"), Stop)


def test_interrupt_message_has_position():
    box, _, _ = run("while true do end")
    assert str(box["error"]).startswith("prog:1:")


def test_state_usable_after_stop():
    box, _, state = run("while true do end")
    assert isinstance(box.get("error"), Stop)
    state.set_interrupt(None)
    assert state.execute("return 1 + 1") == (2,)


def test_interrupt_runs_about_every_n():
    state = INTERP.new_state()
    calls = []
    state.set_interrupt(lambda: calls.append(1), 100)
    state.execute("for i = 1, 100000 do end local n = 0 while n < 100000 do n = n + 1 end")
    assert 1500 <= len(calls) <= 2500


def test_string_rep_huge_counts_are_quick():
    state = INTERP.new_state()
    assert state.execute("return #string.rep('', 1 << 40)") == (0,)
    assert state.execute("return #string.rep('', 1 << 40, '')") == (0,)
    for src in ("return string.rep('ab', 1 << 40)", "return string.rep('', 1 << 40, ',')",
                "return string.rep('x', 1 << 62, 'y')"):
        with pytest.raises(LuaError, match="too large"):
            state.execute(src)
    assert state.execute("return #string.rep('ab', 3, ',')") == (8,)

"""The state's memory limit: programs that grow without end, and single huge allocations, end in
LuaMemoryError, which no pcall catches; with no limit nothing is accounted."""
import pytest

from luarun import run_in_thread
from petrel.lua_interp import Interpreter, LuaError, LuaInterrupt, LuaMemoryError

INTERP = Interpreter()
MiB = 1024 * 1024


def run(source, limit=16 * MiB):
    state = INTERP.new_state()
    state.stdout = lambda data: None
    state.set_memory_limit(limit)
    box = run_in_thread(lambda: state.execute(source, "=prog"))
    return box, state


GROWING = {
    "append_rep": "local t = {} while true do t[#t + 1] = ('x'):rep(1000) end",
    "append_small_tables": "local t = {} while true do t[#t + 1] = {} end",
    "append_numbers": "local t = {} local i = 0 while true do i = i + 1 t[i] = i * 0.5 end",
    "global_growth": "t = {} for i = 1, math.maxinteger do t['k' .. i] = i end",
    "insert": "local t = {} while true do table.insert(t, 'abc' .. #t) end",
    "doubling": "local s = 'x' while true do s = s .. s end",
    "concat_growth": "local s = '' while true do s = s .. ('y'):rep(5000) end",
    "nested_tables": "local t = {} while true do t = {t, ('z'):rep(100)} end",
    "closures": "local fs = {} while true do local x = ('q'):rep(200) fs[#fs + 1] = function() return x end end",
    "recursion_holding": "local function f(n) local s = ('a'):rep(10000) .. n return f(n + 1) + #s end f(1)",
    "move": "table.move(setmetatable({}, {__index = function() return 'x' end}), 1, 1 << 40, 1, {})",
    "load_reader": "load(function() return ('-'):rep(50000) end)",
}

HUGE = {
    "rep": "return string.rep('x', 2^31)",
    "rep_below_cap": "return string.rep('x', 2^30)",
    "rep_sep": "return string.rep('x', 2^28, 'yy')",
    "concat_op": "local s = ('x'):rep(2^20) return s .. s .. s .. s .. s .. s .. s .. s .. s .. s .. s .. s "
                 ".. s .. s .. s .. s .. s .. s",
    "table_concat": "local t = {} local s = ('x'):rep(1e5) for i = 1, 1000 do t[i] = s end return table.concat(t)",
    "table_concat_sep": "return table.concat({1, 2, 3}, ('x'):rep(2^23))",
    "format": "local s = ('x'):rep(2^20) return string.format(('%s'):rep(40), "
              + ", ".join(["s"] * 40) + ")",
    "gsub": "return (('x'):rep(2^20)):gsub('x', 'yyyyyyyyyyyyyyyyyyyyyyyy')",
    "unpack": "return select('#', table.unpack({}, 1, 999999))",
}


@pytest.mark.parametrize("name", sorted(GROWING))
def test_growth_is_stopped(name):
    box, state = run(GROWING[name])
    assert isinstance(box.get("error"), LuaMemoryError), box
    assert str(box["error"]) == "not enough memory"
    # stopped near the limit, not far beyond it
    state.set_memory_limit(None)
    assert state.measure_memory() < 16 * MiB * 4


@pytest.mark.parametrize("name", sorted(HUGE))
def test_huge_allocation_is_refused(name):
    box, _ = run(HUGE[name], limit=4 * MiB)
    assert isinstance(box.get("error"), LuaMemoryError), box


@pytest.mark.parametrize("name", ["append_rep", "doubling", "rep"])
def test_memory_error_is_not_caught(name):
    src = GROWING.get(name) or HUGE[name]
    box, state = run("""
        caught = 0
        local ok, e = pcall(function() %s end)
        caught = 1
        xpcall(function() %s end, function() caught = 2 end)
        caught = 3
    """ % (src, src))
    assert isinstance(box.get("error"), LuaMemoryError), box
    assert state.globals["caught"] == 0


def test_close_handler_not_run_on_memory_error():
    box, state = run("""
        closed = false
        local x <close> = setmetatable({}, {__close = function() closed = true end})
        return string.rep('x', 2^31)
    """)
    assert isinstance(box.get("error"), LuaMemoryError)
    assert state.globals["closed"] is False


def test_memory_error_is_an_interrupt():
    assert issubclass(LuaMemoryError, LuaInterrupt) and issubclass(LuaInterrupt, LuaError)
    assert LuaMemoryError.catchable is False and LuaError.catchable is True


def test_within_the_limit_runs_and_frees():
    box, state = run("""
        local total = 0
        for i = 1, 200 do
            local s = ('x'):rep(100000)   -- 20 MB allocated in all, 100 KB held at a time
            local t = {}
            for j = 1, 100 do t[j] = {j} end
            total = total + #s + #t
        end
        big = nil
        return total
    """, limit=8 * MiB)
    assert box.get("result") == (200 * 100100,), box
    assert state.memory_used() < 8 * MiB


def test_estimate_follows_what_is_held():
    state = INTERP.new_state()
    state.set_memory_limit(64 * MiB)
    base = state.memory_used()
    assert 0 < base < MiB
    state.execute("keep = {} for i = 1, 1000 do keep[i] = ('k'):rep(1000) .. i end")
    held = state.measure_memory()
    assert held - base > 1000 * 1000
    state.execute("keep = nil")
    assert state.measure_memory() < base + 200 * 1000


def test_added_root_is_counted():
    state = INTERP.new_state()
    outside = state.table()
    state.set_memory_limit(64 * MiB)
    before = state.measure_memory()
    outside[1] = "x" * 1000000
    state.add_memory_root(outside)
    assert state.measure_memory() - before >= 1000000


def test_no_limit_no_accounting():
    state = INTERP.new_state()
    state.execute("local t = {} for i = 1, 10000 do t[i] = ('x'):rep(1000) end")
    assert state.memory_used() == 0
    assert state.execute("return #string.rep('x', 2^24)") == (2 ** 24,)


def test_limit_can_be_lifted():
    state = INTERP.new_state()
    state.set_memory_limit(MiB)
    with pytest.raises(LuaMemoryError):
        state.execute("return string.rep('x', 2^21)")
    state.set_memory_limit(None)
    assert state.execute("return #string.rep('x', 2^21)") == (2 ** 21,)


def test_memory_hook_hears_of_big_allocations_first():
    state = INTERP.new_state()
    heard = []

    def hook(n):
        heard.append(n)
        if n > 10 * MiB:
            raise LuaMemoryError()
    state.set_memory_hook(hook)
    assert state.execute("return #string.rep('x', 100000)") == (100000,)
    with pytest.raises(LuaMemoryError):
        state.execute("return pcall(string.rep, 'x', 2^24)")
    assert heard == [100000, 2 ** 24]

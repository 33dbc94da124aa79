"""__gc finalizers and warn: what the lua command shows on standard error and at exit (not
compared with lupa: its state closes, and writes its warnings, as the Python process ends)."""
import gc
import os
import subprocess
import sys

from petrel.lua_interp import Interpreter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lua(*args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "petrel.lua_interp", *args], capture_output=True,
                          env=env, timeout=60)


def test_finalizers_of_live_objects_run_when_the_state_closes(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("local mt = {__gc = function(o) print('closing', o.n) end}\n"
                      "a = setmetatable({n = 1}, mt)\nb = setmetatable({n = 2}, mt)\nprint('end')\n")
    r = lua(str(script))
    assert r.returncode == 0
    assert r.stdout == b"end\nclosing\t2\nclosing\t1\n"


def test_os_exit_closes_the_state_only_when_asked(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("x = setmetatable({}, {__gc = function() print('finalized') end})\n"
                      "os.exit(0, ...)\n")
    assert lua(str(script)).stdout == b""
    assert lua(str(script), "true").stdout == b"finalized\n"


def test_warnings_are_off_until_on(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("warn('not shown')\nwarn('@on')\nwarn('one ', 'two')\nwarn('@off')\nwarn('hidden')\n"
                      "warn('@on')\nlocal function f() setmetatable({}, {__gc = function() error('bad') end}) end\n"
                      "f()\ncollectgarbage()\nwarn('@', 'on')\n")
    r = lua(str(script))
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode() == ("Lua warning: one two\nLua warning: error in __gc (%s:7: bad)\n"
                                 "Lua warning: @on\n" % script)


def test_dash_W_turns_warnings_on():
    r = lua("-W", "-e", "warn('x', 1)")
    assert r.stderr == b"Lua warning: x1\n"
    r = lua("-e", "warn({})")
    assert b"bad argument #1 to 'warn' (string expected, got table)" in r.stderr


def test_tables_without_gc_are_freed_by_reference_counting():
    state = Interpreter().new_state()
    state.execute("T = setmetatable({}, {__index = {}})")
    import weakref
    w = weakref.ref(state.globals["T"])
    gc.disable()
    try:
        state.globals["T"] = None
        assert w() is None
    finally:
        gc.enable()


def test_a_finalizer_that_marks_again_runs_at_each_collection():
    state = Interpreter().new_state()
    state.execute("""
        n = 0
        local mt = {}
        mt.__gc = function(o) n = n + 1; if n < 4 then setmetatable(o, mt) end end
        local function make() setmetatable({}, mt) end
        make()
        local function collect() collectgarbage() end
        for i = 1, 6 do collect() end
    """)
    assert state.globals["n"] == 4


def test_finalizers_run_from_the_periodic_tick_after_a_python_collection():
    state = Interpreter().new_state()
    state.execute("""
        done = false
        local function make() setmetatable({}, {__gc = function() done = true end}) end
        make()
    """)
    gc.collect()
    state.execute("for i = 1, 5000 do local x = i end")
    assert state.globals["done"] is True

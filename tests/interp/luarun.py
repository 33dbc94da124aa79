"""Run a Lua program on this interpreter and on lupa's Lua 5.4, capturing print output."""
import io
import sys
import threading

from petrel.lua_interp import Interpreter, LuaError

_INTERP = Interpreter()


def run_ours(source: str, chunkname: str = "=input") -> bytes:
    out = io.BytesIO()
    result = {}

    def target():
        st = _INTERP.new_state()
        st.stdout = out
        try:
            st.call(st.load(source, chunkname))
        except LuaError as e:
            out.write(b"ERROR: " + str(e).encode("latin-1") + b"\n")
        result["done"] = True

    # deep recursion tests need a real stack: run in a thread with a big one
    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    threading.stack_size(256 * 1024 * 1024)
    sys.setrecursionlimit(220000)
    try:
        t = threading.Thread(target=target)
        t.start()
        t.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    return out.getvalue()


_PRELUDE = r"""
local __buf = {}
local __concat, __tostring, __select = table.concat, tostring, select
function print(...)
  local n = __select('#', ...)
  local parts = {}
  for i = 1, n do parts[i] = __tostring((__select(i, ...))) end
  __buf[#__buf + 1] = __concat(parts, "\t") .. "\n"
end
return __buf
"""


def run_lupa(source: str, chunkname: str = "=input") -> bytes:
    from lupa import lua54
    L = lua54.LuaRuntime(encoding=None)
    buf = L.execute(_PRELUDE)
    try:
        L.execute(source.encode("utf-8") if isinstance(source, str) else source, name=chunkname)
    except lua54.LuaError as e:
        msg = e.args[0]
        if isinstance(msg, str):
            msg = msg.encode("latin-1", "replace")
        msg = msg.split(b"\nstack traceback:")[0]
        if msg.startswith(b"error loading code: "):
            msg = msg[len(b"error loading code: "):]
        buf[len(buf) + 1] = b"ERROR: " + msg + b"\n"
    concat = L.eval("table.concat")
    return concat(buf)


def run_in_thread(fn, timeout=60.0):
    """Run fn() in a thread with a big stack (deep recursion); its result or exception."""
    box = {}

    def target():
        try:
            box["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box["error"] = e

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    threading.stack_size(256 * 1024 * 1024)
    sys.setrecursionlimit(20000)
    try:
        t = threading.Thread(target=target, daemon=True)
        t.start()
        t.join(timeout)
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    assert not t.is_alive(), "the program was not stopped"
    return box

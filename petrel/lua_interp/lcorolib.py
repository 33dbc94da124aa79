"""The coroutine library: each coroutine runs on a Python thread, and resume and yield hand over
control with semaphores, so exactly one of them runs at any time.  A coroutine can yield from any
depth (across pcall, metamethods and iterators).  Opened by the standalone interpreter only.
"""
from __future__ import annotations

import sys
import threading

from .lauxlib import NOVALUE, arg_error, lib_function, needs_runtime, new_lib, type_error
from .lobject import LuaError
from . import lhook
from .lvm import call

STACK_SIZE = 256 * 1024 * 1024
MAX_NESTED = 200   # coroutines resuming one another (LUAI_MAXCCALLS)
_running = threading.local()   # .co: the coroutine this thread runs


def running_coroutine():
    """The coroutine running on this thread (None on the main one)."""
    return getattr(_running, "co", None)


class _Killed(BaseException):
    """Unwinds a suspended coroutine that coroutine.close ends."""

    close_value = None


class Coroutine:
    lua_type = "thread"
    __slots__ = ("fn", "status", "thread", "resume_sem", "yield_sem", "transfer", "error", "foreign",
                 "killed", "done", "hook", "hook_live", "__weakref__")

    def __init__(self, fn):
        self.fn = fn
        self.status = "suspended"
        self.thread = None
        self.resume_sem = threading.Semaphore(0)
        self.yield_sem = threading.Semaphore(0)
        self.transfer = ()
        self.error = None      # the Lua error value, when the body failed
        self.foreign = None    # a non-Lua exception (interrupt, memory) to raise in the resumer
        self.killed = False
        self.done = False
        self.hook = self.hook_live = None   # debug.sethook's, and the one this thread traces with

    def _body(self):
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 200000))
        _running.co = self
        if self.hook is not None:
            self.hook_live = self.hook
            lhook.install(self.hook)
        try:
            if not self.killed:
                self.transfer = call(self.fn, *self.transfer)
        except _Killed:
            self.transfer = ()
        except LuaError as e:
            if e.catchable:
                self.error = (e.value,)
            else:
                self.foreign = e
        except BaseException as e:  # noqa: BLE001 - carried to the resuming thread
            self.foreign = e
        finally:
            self.done = True
            self.yield_sem.release()


def _yieldable(f) -> bool:
    """Lua 5.4 yields across Lua code, metamethods, iterators, pcall, xpcall and __pairs, but not across
    other library functions (table.sort's comparator, gsub's replacement, tostring...):
    whether none of those runs between frame f and its coroutine's body."""
    from .ldebug import LIB_CODES
    from .lbaselib import BASE_FUNCS
    allowed = tuple(BASE_FUNCS[name].__code__ for name in ("pcall", "xpcall", "pairs", "dofile")
                    if name in BASE_FUNCS)  # the ones with a continuation (lua_callk, lua_pcallk)
    body = Coroutine._body.__code__
    while f is not None and f.f_code is not body:
        code = f.f_code
        if code in LIB_CODES and code not in allowed:
            return False
        f = f.f_back
    return True


class _State:
    def __init__(self):
        self.current = None
        self.depth = 0          # coroutines resumed and not yet back


def _make(rt):
    st = _State()

    def checkco(co, n, fname):
        if type(co) is not Coroutine:
            type_error(n, fname, "coroutine", co)
        return co

    def _resume(co, args):
        if co.status == "dead":
            return False, ("cannot resume dead coroutine",)
        if co.status != "suspended":
            return False, ("cannot resume non-suspended coroutine",)
        if st.depth >= MAX_NESTED:  # each running coroutine holds a thread, as C Lua a C stack
            return False, ("C stack overflow",)
        prev = st.current
        (prev if prev is not None else MAIN).status = "normal"
        co.status = "running"
        st.current = co
        co.transfer = args
        st.depth += 1
        if co.thread is None:
            old = threading.stack_size()
            threading.stack_size(STACK_SIZE)
            try:
                co.thread = threading.Thread(target=co._body, daemon=True)
                co.thread.start()
            except RuntimeError:  # the system gives no more threads
                co.thread = None
                st.depth -= 1
                st.current = prev
                (prev if prev is not None else MAIN).status = "running"
                co.status = "suspended"
                return False, ("not enough memory",)
            finally:
                threading.stack_size(old)
        else:
            co.resume_sem.release()
        co.yield_sem.acquire()
        st.depth -= 1
        st.current = prev
        (prev if prev is not None else MAIN).status = "running"
        if co.done:
            co.status = "dead"
            if co.foreign is not None:
                e, co.foreign = co.foreign, None
                raise e
            if co.error is not None:
                return False, co.error
            return True, co.transfer
        co.status = "suspended"
        return True, co.transfer

    def co_create(f=NOVALUE, *_):
        if not callable(f) or type(f) is Coroutine:
            type_error(1, "create", "function", f)
        return (Coroutine(f),)

    def co_resume(co=NOVALUE, *args):
        checkco(co, 1, "resume")
        ok, vals = _resume(co, args)
        return (ok,) + tuple(vals)

    def co_yield(*vals):
        co = st.current
        if co is None:
            raise LuaError("attempt to yield from outside a coroutine")
        if not _yieldable(sys._getframe(1)):
            raise LuaError("attempt to yield across a C-call boundary", level=0)
        co.transfer = vals
        co.yield_sem.release()
        co.resume_sem.acquire()
        if co.killed:
            raise _Killed()
        if co.hook is not co.hook_live:  # debug.sethook on this coroutine while it was suspended
            co.hook_live = co.hook
            lhook.install(co.hook, sys._getframe(1))
        return co.transfer

    def co_status(co=NOVALUE, *_):
        checkco(co, 1, "status")
        return (co.status,)

    def co_running(*_):
        co = st.current
        if co is None:
            return (MAIN, True)
        return (co, False)

    def co_isyieldable(*args):
        if args:
            co = checkco(args[0], 1, "isyieldable")
            return (co is not MAIN,)
        return (st.current is not None and _yieldable(sys._getframe(1)),)

    def co_wrap(f=NOVALUE, *_):
        if not callable(f) or type(f) is Coroutine:
            type_error(1, "wrap", "function", f)
        co = Coroutine(f)

        def wrapped(*args):
            ok, vals = _resume(co, args)
            if not ok:
                v = vals[0] if vals else None
                raise LuaError(v, level=1 if type(v) is str else 0)  # auxwrap: luaL_where(L, 1) .. msg
            return tuple(vals)
        return (lib_function(wrapped),)

    def co_close(co=NOVALUE, *_):
        checkco(co, 1, "close")
        if co.status in ("running", "normal"):
            raise LuaError("cannot close a %s coroutine" % co.status)
        if co.status == "suspended" and co.thread is not None:
            co.killed = True
            co.status = "running"
            prev, st.current = st.current, co
            co.resume_sem.release()
            co.yield_sem.acquire()
            st.current = prev
            if co.foreign is not None:
                e, co.foreign = co.foreign, None
                raise e
        co.status = "dead"
        if co.error is not None:
            err, co.error = co.error, None
            return (False,) + tuple(err)
        return (True,)

    return {
        "create": co_create, "resume": co_resume, "yield": co_yield, "status": co_status,
        "running": co_running, "isyieldable": co_isyieldable, "wrap": co_wrap, "close": co_close,
    }


MAIN = Coroutine(None)
MAIN.status = "running"


def open_coroutine(rt):
    return new_lib(rt, _make(rt), "coroutine")

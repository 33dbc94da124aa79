"""The coroutine library: each coroutine runs on a Python thread, and resume and yield hand over
control with semaphores, so exactly one of them runs at any time.  A coroutine can yield from any
depth (across pcall, metamethods and iterators).  Opened by the standalone interpreter only.
"""
from __future__ import annotations

import sys
import threading

from .lauxlib import NOVALUE, arg_error, needs_runtime, new_lib, type_error
from .lobject import LuaError
from .lvm import call

STACK_SIZE = 256 * 1024 * 1024


class _Killed(BaseException):
    """Unwinds a suspended coroutine that coroutine.close ends."""

    close_value = None


class Coroutine:
    lua_type = "thread"
    __slots__ = ("fn", "status", "thread", "resume_sem", "yield_sem", "transfer", "error", "foreign",
                 "killed", "done", "__weakref__")

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

    def _body(self):
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 200000))
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


class _State:
    def __init__(self):
        self.current = None


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
        prev = st.current
        (prev if prev is not None else MAIN).status = "normal"
        co.status = "running"
        st.current = co
        co.transfer = args
        if co.thread is None:
            old = threading.stack_size()
            threading.stack_size(STACK_SIZE)
            try:
                co.thread = threading.Thread(target=co._body, daemon=True)
                co.thread.start()
            finally:
                threading.stack_size(old)
        else:
            co.resume_sem.release()
        co.yield_sem.acquire()
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
        co.transfer = vals
        co.yield_sem.release()
        co.resume_sem.acquire()
        if co.killed:
            raise _Killed()
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
        return (st.current is not None,)

    def co_wrap(f=NOVALUE, *_):
        if not callable(f) or type(f) is Coroutine:
            type_error(1, "wrap", "function", f)
        co = Coroutine(f)

        def wrapped(*args):
            ok, vals = _resume(co, args)
            if not ok:
                v = vals[0] if vals else None
                raise LuaError(v, level=1 if type(v) is str and co.status != "dead" else 0)
            return tuple(vals)
        return (wrapped,)

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

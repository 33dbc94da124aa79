"""The facade: Interpreter (compiled-chunk cache) and State (globals + runtime).

The pipeline runs one way, as in Lua's sources: llex -> lparser -> lcode ->
code running on lvm; the standard libraries sit on lvm; this module ties them
together, and ``load`` reaches the compiler only through it.
"""
from __future__ import annotations

import sys
import warnings
import threading
from collections import OrderedDict
from typing import Any, Callable

from .lcode import compile_chunk
from .ldebug import LIB_CODES, short_src, traceback_from_tb
from .llex import source_text
from .lobject import LuaError, LuaSyntaxError, LuaTable, TailCall
from .lparser import parse
from .lvm import FOREIGN_ENV, Runtime, as_lua_error, call, namespace
from .lconvert import Converter


class Interpreter:
    """One per process: owns the compiled-chunk cache shared by all states."""

    def __init__(self, cache_size: int = 1024):
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def compile(self, source, chunkname: str = "=?"):
        """Compile a chunk (cached by source text and chunk name); returns its factory."""
        text = source_text(source)
        key = (text, chunkname)
        with self._lock:
            factory = self._cache.get(key)
            if factory is not None:
                self._cache.move_to_end(key)
                return factory
        src_name = short_src(chunkname)
        try:
            block = parse(text, src_name)
            pysrc, info = compile_chunk(block, chunkname, text)
        except RecursionError:
            line = text.count("\n") + 1
            raise LuaSyntaxError("%s:%d: chunk has too many syntax levels" % (src_name, line)) from None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = compile(pysrc, "<lua %s>" % src_name.replace("\0", "\\0"), "exec")
        except (SyntaxError, RecursionError, MemoryError, ValueError) as e:
            # Python's own limits (nested parentheses, indentation levels) on the generated
            # code: a Lua error naming the Lua line, never a Python one
            line = info.lua_line(getattr(e, "lineno", None))
            raise LuaSyntaxError("%s:%d: function or expression too complex" % (src_name, line)) from None
        ns = namespace()
        ns["__luachunk__"] = info
        exec(code, ns)
        factory = ns["__chunk__"]
        with self._lock:
            self._cache[key] = factory
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return factory

    def new_state(self) -> "State":
        return State(self)


class State:
    """A Lua state: fresh globals with the standard library opened."""

    def __init__(self, interpreter: Interpreter | None = None, *, stdout=None):
        from .linit import open_libs
        self.interpreter = interpreter or Interpreter()
        rt = self.runtime = Runtime()
        rt.state = self
        rt.loader = self._loader
        rt.write = self._write
        self.stdout = stdout
        self.globals = LuaTable()
        self._conv = Converter(self)
        open_libs(rt, self.globals)

    # -- output of print (bytes); defaults to sys.stdout
    def _write(self, text: str):
        data = text.encode("latin-1")
        out = self.stdout
        if out is None:
            out = sys.stdout
            buf = getattr(out, "buffer", None)
            if buf is not None:
                out.flush()
                buf.write(data)
                buf.flush()
            else:
                out.write(data.decode("utf-8", "replace"))
            return
        if callable(out) and not hasattr(out, "write"):
            out(data)
        else:
            try:
                out.write(data)
            except TypeError:
                out.write(data.decode("utf-8", "replace"))

    def _loader(self, source, chunkname, env=None, env_given=False):
        # source is a Lua string (latin-1 text): hand over its bytes unchanged
        if env_given and type(env) is not LuaTable:
            env = _foreign_env(env)   # any Lua value may be an _ENV, nil too
        return self.load(source.encode("latin-1"), chunkname, env=env if env_given else self.globals)

    def load(self, source, chunkname: str = "=?", *, env: Any = None) -> Callable:
        """Compile (or fetch from the cache) and instantiate a chunk in this state."""
        if isinstance(chunkname, bytes):
            chunkname = chunkname.decode("latin-1")
        factory = self.interpreter.compile(source, chunkname)
        if env is None:
            env = self.globals
        elif type(env) is not LuaTable:
            env = _foreign_env(env)
        return factory(env, self.runtime)

    def call(self, fn, *args) -> tuple:
        """Call a Lua function value; returns a tuple of results, raises LuaError."""
        try:
            r = call(fn, *args)
            return tuple(r)
        except LuaError as e:
            if e.traceback is None:
                e.traceback = traceback_from_tb(e.__traceback__)
            raise
        except Exception as e:
            err = as_lua_error(e)
            err.traceback = traceback_from_tb(e.__traceback__)
            raise err from None

    def execute(self, source, chunkname: str = "=?", *args) -> tuple:
        return self.call(self.load(source, chunkname), *args)

    def table(self, mapping_or_list=None) -> LuaTable:
        if mapping_or_list is None:
            return LuaTable()
        return self._conv.to_lua(mapping_or_list)

    def function(self, pycallable: Callable, name: str | None = None) -> Callable:
        return make_function(pycallable, self._conv)

    def set_interrupt(self, callback: Callable[[], None] | None, every: int = 1000) -> None:
        """callback() runs about every `every` check-ins (loop back-edges, function entries,
        goto jumps, and steps of long library work); raising LuaInterrupt from it stops the
        program for good, any other LuaError is an ordinary (catchable) Lua error."""
        self.runtime.interrupt = callback
        self.runtime.every = max(1, int(every))

    def set_memory_hook(self, hook: Callable[[int], None] | None) -> None:
        """hook(nbytes) is told before a big allocation (a string or table of 64 KiB or more;
        1 KiB or more while a memory limit is set); it may raise (LuaMemoryError to stop)."""
        self.runtime.memory_hook = hook

    def set_memory_limit(self, nbytes: int | None) -> None:
        """Limit the bytes this state holds (None: no limit, no accounting cost).  Beyond it
        LuaMemoryError ("not enough memory") is raised, which no pcall catches; a single
        allocation that would pass it is refused before it is made.  Measures at once."""
        self.runtime.set_memory_limit(nbytes)

    def memory_used(self) -> int:
        """The accounting's current estimate in bytes (cheap: no walk); 0 with no limit set."""
        return self.runtime.memory_used()

    def measure_memory(self) -> int:
        """Walk what the state holds now and return its size in bytes (costs time in
        proportion to it); with a limit set this also resets the estimate and may raise.
        Call it from the thread running the state (or while it is idle): it reads that
        thread's Lua frames, and tables must not change during the walk."""
        return self.runtime.measure_memory()

    def add_memory_root(self, obj: Any) -> None:
        """Count obj (a table the embedder keeps outside the globals) as held by the state."""
        self.runtime.mem_roots.append(obj)

    def to_python(self, value):
        return self._conv.to_python(value)

    def to_lua(self, value):
        return self._conv.to_lua(value)


def make_function(pycallable, conv):
    from_py = conv.from_python_result

    def wrapper(*args):
        try:
            r = pycallable(*args)
        except LuaError:
            raise
        except RecursionError:
            raise
        except Exception as e:
            raise LuaError(str(e) or type(e).__name__) from e
        if r is None:
            return ()
        if type(r) is tuple:
            return tuple(from_py(x) for x in r)
        return (from_py(r),)
    return wrapper


def _register_wrapper_code():
    class _C:
        from_python_result = staticmethod(lambda x: x)
    LIB_CODES.add(make_function(lambda: None, _C).__code__)


_register_wrapper_code()


def _foreign_env(value):
    """An _ENV that is not a table: every global access raises as Lua would."""
    t = LuaTable()
    mt = LuaTable()
    from .lobject import type_name

    def bad(*a):
        raise LuaError("attempt to index a %s value (upvalue '_ENV')" % type_name(value))
    mt.rawset("__index", bad)
    mt.rawset("__newindex", bad)
    t.meta = mt
    FOREIGN_ENV[t] = value
    return t

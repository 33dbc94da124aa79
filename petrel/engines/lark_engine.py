"""The lark engine: petrel.lua_interp, the pure-Python Lua 5.4, behind the engine contract.

Compiled chunks are shared by every state (the interpreter's cache); a state is its globals. The
sandbox is the same as the lupa engine's: handlers see the restricted ``base`` globals through an
environment proxy whose reads and writes go to a per-request overlay, and library tables are
read-only.

Execution model: compiled Lua is ordinary Python code, which cannot be suspended in the middle of a
call without turning every Lua function into a generator (much slower). So a handler call runs in a
worker thread of the request's task (``anyio.to_thread``), and an ``async def`` library function
called from Lua runs on the event loop (``anyio.from_thread.run``) while that thread waits: only the
calling request waits. The interpreter's interrupt check (loop back-edges and calls) stops a
handler whose request was cancelled, and is where a CPU-time limit plugs in.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from typing import Any, Callable

import anyio
import anyio.from_thread
import anyio.to_thread

from ..libs import Export, LibraryRegistry, LuaRuntimeError
from ..lua_interp import Interpreter, LuaError, LuaTable
from ..lua_interp.lobject import type_name
from ..messages import Request, Response
from .base import (Engine, HandlerError, ServiceLoadError, SourceFile, request_fields, resolve_module,
                   response_from_fields)

log = logging.getLogger("petrel.lua")

BASE_FUNCTIONS = ("pairs", "ipairs", "next", "select", "type", "tostring", "tonumber", "error",
                  "assert", "pcall", "xpcall", "rawequal", "rawlen", "setmetatable", "getmetatable",
                  "_VERSION")
READ_ONLY_LIBRARIES = ("string", "table", "math", "utf8")
OS_FUNCTIONS = ("time", "clock", "date", "difftime")
MAX_TABLE_DEPTH = 32
# Deep (non-tail) Lua recursion is deep Python recursion: handler threads get room for it.
THREAD_STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 20000


class RequestCancelled(LuaError):
    """Raised inside Lua code when its request was cancelled (the client went away)."""


class LarkState:
    __slots__ = ("state", "base", "env", "env_meta", "overlay_meta", "installed", "classes",
                 "modules", "cancelled", "lib_version", "held", "__weakref__")

    def __init__(self, state: Any) -> None:
        self.state = state
        self.base = LuaTable()
        self.env = LuaTable()
        self.env_meta = LuaTable()
        self.overlay_meta = LuaTable()
        self.installed: set[str] = set()
        self.classes: dict[type, LuaTable] = {}
        self.modules: dict[str, Any] = {}
        self.cancelled = False
        self.lib_version = 0
        # Library objects handed to Lua during the current request. Held until the request ends so
        # that they are released on the event loop's thread (their cleanups may need the loop),
        # not in the worker thread where Lua dropped its last reference.
        self.held: list[Any] = []


def _table(fields: dict[str, Any]) -> LuaTable:
    table = LuaTable()
    for key, value in fields.items():
        table.rawset(key, value)
    return table


class LarkEngine(Engine):
    name = "lark"

    def __init__(self, config: Any, libraries: LibraryRegistry) -> None:
        super().__init__(config, libraries)
        self.interpreter = Interpreter()
        self.handles: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._limiter: anyio.CapacityLimiter | None = None
        threading.stack_size(THREAD_STACK_BYTES)
        if sys.getrecursionlimit() < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)

    @property
    def description(self) -> str:
        return "lark, petrel.lua_interp (pure-Python Lua 5.4)"

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # One worker thread per running (or sleeping) handler call.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(4096)
        return self._limiter

    # -- states ------------------------------------------------------------------------------------
    def new_state(self, sources: list[SourceFile]) -> LarkState:
        lstate = LarkState(self.interpreter.new_state())
        self._build_sandbox(lstate)
        self._install_libraries(lstate)
        for source in sources:
            try:
                fn = lstate.state.load(source.text, "@" + source.name, env=lstate.env)
                lstate.state.call(fn)
            except LuaError as exc:
                if exc.traceback:
                    log.debug("%s", exc.traceback)
                raise ServiceLoadError(f"loading {source.name} failed: {_message(exc)}") from None
        lstate.state.set_interrupt(self._interrupt_check(lstate), 1000)
        return lstate

    @staticmethod
    def _interrupt_check(lstate: LarkState) -> Callable[[], None]:
        def check() -> None:
            if lstate.cancelled:
                raise RequestCancelled("request cancelled")
        return check

    def _readonly(self, fields: LuaTable, name: str) -> tuple[LuaTable, LuaTable]:
        def refuse(_table: Any, key: Any, _value: Any) -> tuple:
            raise LuaError(f"attempt to modify read-only table '{name}' (field '{_key_text(key)}')")

        def iterate(_table: Any) -> tuple:
            return (self._next, fields, None)

        meta = _table({"__index": fields, "__newindex": refuse, "__pairs": iterate, "__metatable": False})
        proxy = LuaTable()
        proxy.meta = meta
        return proxy, meta

    def _build_sandbox(self, lstate: LarkState) -> None:
        g = lstate.state.globals
        base = lstate.base
        self._next = g.rawget("next")
        for name in BASE_FUNCTIONS:
            value = g.rawget(name)
            if value is not None:
                base.rawset(name, value)
        env, env_meta = lstate.env, lstate.env_meta
        env_meta.rawset("__index", base)
        env_meta.rawset("__newindex", base)
        env_meta.rawset("__metatable", False)
        env.meta = env_meta
        lstate.overlay_meta.rawset("__index", base)
        lstate.overlay_meta.rawset("__metatable", False)
        base.rawset("_G", env)

        raw_get, raw_set = g.rawget("rawget"), g.rawget("rawset")

        def rawget(t: Any, k: Any = None, *rest: Any) -> tuple:
            if t is env:
                current = env_meta.rawget("__newindex")
                value = current.rawget(k) if k is not None else None
                if value is None and current is not base:
                    value = base.rawget(k)
                return (value,)
            return raw_get(t, k, *rest)

        def rawset(t: Any, k: Any = None, v: Any = None, *rest: Any) -> tuple:
            if t is env:
                if k is None:
                    raise LuaError("table index is nil")
                env_meta.rawget("__newindex").rawset(k, v)
                return (t,)
            return raw_set(t, k, v, *rest)

        base.rawset("rawget", rawget)
        base.rawset("rawset", rawset)

        string_fields = None
        for name in READ_ONLY_LIBRARIES:
            library = g.rawget(name)
            if type(library) is not LuaTable:
                continue
            fields = LuaTable()
            for key, value in library.items():
                if not (name == "string" and key == "dump"):
                    fields.rawset(key, value)
            proxy, _ = self._readonly(fields, name)
            base.rawset(name, proxy)
            if name == "string":
                string_fields = fields
        os_table = g.rawget("os")
        os_fields = LuaTable()
        for name in OS_FUNCTIONS:
            os_fields.rawset(name, os_table.rawget(name))
        base.rawset("os", self._readonly(os_fields, "os")[0])
        # ("x"):upper() looks in the same fields, and the string metatable is out of reach.
        string_meta = lstate.state.execute('return getmetatable("")')[0]
        if type(string_meta) is LuaTable and string_fields is not None:
            string_meta.rawset("__index", string_fields)
            string_meta.rawset("__metatable", False)
        base.rawset("require", self._make_require(lstate))

    def _make_require(self, lstate: LarkState) -> Callable:
        def require(name: Any = None, *_: Any) -> tuple:
            if type(name) is not str:
                raise LuaError(f"bad argument #1 to 'require' (string expected, got {type_name(name)})")
            if name in lstate.modules:
                return (lstate.modules[name],)
            path = resolve_module(self.config.lua_root, name.encode("latin-1").decode("utf-8", "replace"))
            if path is None:
                raise LuaError(f"module '{name}' not found under lua.root")
            with open(path, "rb") as handle:
                text = handle.read()
            chunkname = "@" + os.path.relpath(path, os.path.realpath(self.config.lua_root))
            fn = lstate.state.load(text, chunkname, env=lstate.env)
            results = lstate.state.call(fn, name)
            value = results[0] if results and results[0] is not None else True
            lstate.modules[name] = value
            return (value,)
        return require

    def _install_libraries(self, lstate: LarkState) -> None:
        base = lstate.base
        for library in self.libraries.libraries:
            if library.name in lstate.installed:
                continue
            if library.as_table:
                fields = LuaTable()
                for name, export in library.functions.items():
                    fields.rawset(name, self._stub(lstate, export))
                for name, value in library.constants.items():
                    fields.rawset(name, self._to_lua(lstate, value))
                proxy, meta = self._readonly(fields, library.name)
                if library.constructor is not None:
                    constructor = self._stub(lstate, library.constructor)

                    def call(_self: Any, *args: Any, _constructor: Callable = constructor) -> tuple:
                        return _constructor(*args)
                    meta.rawset("__call", call)
                base.rawset(library.name, proxy)
            else:
                for name, value in library.constants.items():
                    base.rawset(name, self._to_lua(lstate, value))
            for name, export in library.globals.items():
                base.rawset(name, self._stub(lstate, export))
            for hook in library.on_state_init:
                hook(self.libraries.ctx)
            lstate.installed.add(library.name)
        lstate.lib_version = self.libraries.version

    # -- crossing the boundary -----------------------------------------------------------------
    def _stub(self, lstate: LarkState, export: Export, method: bool = False) -> Callable:
        ctx = self.libraries.ctx
        to_python = lstate.state.to_python   # strings to bytes, tables to dicts (cycle-safe)
        results = self._results
        handles = self.handles
        name = export.name
        is_async = export.is_async

        def stub(*args: Any) -> tuple:
            target = None
            if method:
                self_table = args[0] if args else None
                target = handles.get(self_table) if type(self_table) is LuaTable else None
                if target is None:
                    raise LuaError(f"calling '{name}' on bad self")
                args = args[1:]
            converted = tuple(to_python(a) for a in args)
            try:
                if is_async:
                    value = anyio.from_thread.run(export.call_async, ctx, target, converted)
                else:
                    value = export.call(ctx, target, converted)
                return results(lstate, value)
            except LuaRuntimeError as exc:
                raise LuaError(str(exc)) from None
            except LuaError:
                raise
            except Exception as exc:
                log.error("library function '%s' failed", name, exc_info=True)
                raise LuaError(f"{name}: {type(exc).__name__}: {exc}") from None
        return stub

    def _results(self, lstate: LarkState, value: Any) -> tuple:
        if value is None:
            return ()
        if isinstance(value, tuple):
            return tuple(self._to_lua(lstate, v) for v in value)
        return (self._to_lua(lstate, value),)

    def _to_lua(self, lstate: LarkState, value: Any, depth: int = 0) -> Any:
        if value is None or isinstance(value, (bool, float)):
            return value
        if isinstance(value, int):
            return value if -2**63 <= value < 2**63 else float(value)
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if isinstance(value, str):
            return value.encode("utf-8", "surrogateescape").decode("latin-1")
        if depth > MAX_TABLE_DEPTH:
            raise LuaRuntimeError("value nested too deeply to pass to Lua")
        if isinstance(value, dict):
            table = LuaTable()
            for key, item in value.items():
                lua_key = self._to_lua(lstate, key, depth + 1)
                if lua_key is not None:
                    table.rawset(lua_key, self._to_lua(lstate, item, depth + 1))
            return table
        if isinstance(value, (list, tuple)):
            table = LuaTable()
            for index, item in enumerate(value, 1):
                table.rawset(index, self._to_lua(lstate, item, depth + 1))
            return table
        object_type = self.libraries.find_object_type(value)
        if object_type is None:
            raise LuaRuntimeError(f"cannot pass a Python {type(value).__name__} to Lua")
        meta = lstate.classes.get(object_type.cls)
        if meta is None:
            methods = LuaTable()
            for method_name, export in object_type.methods.items():
                methods.rawset(method_name, self._stub(lstate, export, method=True))
            type_label = object_type.name

            def refuse(_t: Any, key: Any, _v: Any) -> tuple:
                raise LuaError(f"attempt to set field '{_key_text(key)}' of a {type_label} object")

            def show(t: Any) -> tuple:
                return (f"{type_label}: 0x{id(t):08x}",)

            meta = _table({"__index": methods, "__newindex": refuse, "__tostring": show,
                           "__name": type_label, "__metatable": False})
            lstate.classes[object_type.cls] = meta
        obj = LuaTable()
        obj.meta = meta
        self.handles[obj] = value
        lstate.held.append(value)
        return obj

    # -- running -------------------------------------------------------------------------------
    async def _run(self, lstate: LarkState, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` (Lua code) in a worker thread. If the request is cancelled (the client went
        away), stop waiting at once and flag the state: the interpreter's interrupt check then ends
        the Lua code within a few thousand steps, and the state is discarded, never reused."""
        lstate.cancelled = False
        try:
            return await anyio.to_thread.run_sync(fn, limiter=self.limiter, abandon_on_cancel=True)
        except anyio.get_cancelled_exc_class():
            lstate.cancelled = True
            raise

    async def bootstrap(self, lstate: LarkState) -> None:
        fn = lstate.base.rawget("bootstrap")
        if type_name(fn) != "function":
            raise ServiceLoadError("the service defines no global function 'bootstrap' "
                                   f"(found {type_name(fn)})")
        try:
            await self._run(lstate, lambda: lstate.state.call(fn))
        except LuaError as exc:
            if exc.traceback:
                log.debug("%s", exc.traceback)
            raise ServiceLoadError(f"bootstrap() failed: {_message(exc)}") from None

    async def handle(self, lstate: LarkState, handler: str, request: Request) -> Response:
        if lstate.lib_version != self.libraries.version:
            self._install_libraries(lstate)
        fn = lstate.base.rawget(handler)
        if type_name(fn) != "function":
            raise HandlerError(handler, f"no global function '{handler}' (it is {type_name(fn)})")
        overlay = LuaTable()
        overlay.meta = lstate.overlay_meta
        lstate.env_meta.rawset("__index", overlay)
        lstate.env_meta.rawset("__newindex", overlay)
        request_table = self._to_lua(lstate, request_fields(request))
        response_table = _table({"status": 200, "headers": LuaTable(), "content": ""})

        def call() -> tuple:
            return lstate.state.call(fn, request_table, response_table)
        try:
            results = await self._run(lstate, call)
        except LuaError as exc:
            raise HandlerError(handler, _message(exc), exc.traceback or "") from None
        response = results[0] if results else None
        if type(response) is not LuaTable:
            raise HandlerError(handler, f"the handler returned {type_name(response)}, not the response table")
        status = response.rawget("status")
        content = response.rawget("content")
        headers = response.rawget("headers")
        if type(content) is str:
            content = content.encode("latin-1")
        if type(headers) is LuaTable:
            headers = lstate.state.to_python(headers)
        return response_from_fields(handler, status, content, headers, type_name)

    def reset(self, lstate: LarkState) -> bool:
        lstate.held.clear()
        lstate.env_meta.rawset("__index", lstate.base)
        lstate.env_meta.rawset("__newindex", lstate.base)
        return not lstate.cancelled

    def close_state(self, lstate: LarkState) -> None:
        lstate.held.clear()
        lstate.classes.clear()
        lstate.modules.clear()


def _message(exc: LuaError) -> str:
    return str(exc).encode("latin-1", "replace").decode("utf-8", "replace")


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    return type_name(key) if key is None or isinstance(key, LuaTable) else str(key)


ENGINE = LarkEngine

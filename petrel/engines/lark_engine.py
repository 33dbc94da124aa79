"""The lark engine: petrel.lua_interp, the pure-Python Lua 5.4, behind the engine contract.

Compiled chunks are shared by every state (the interpreter's cache); a state is its globals. The
sandbox is the lupa engine's, from the same file (sandbox.lua, run in every new state): handlers see
the restricted ``base`` globals through an environment proxy whose reads and writes go to a
per-request overlay, library tables are read-only, pcall cannot catch a stop.

Execution model: compiled Lua is ordinary Python code, which cannot be suspended in the middle of a
call without turning every Lua function into a generator (much slower). So a handler call runs in a
worker thread of the request's task (:mod:`.lark_threads`), and an ``async def`` library function
called from Lua runs on the event loop (``anyio.from_thread.run``) while that thread waits: only the
calling request waits. The interpreter's interrupt check (loop back-edges and calls) runs the
sandbox's check-in: it hands the GIL back at the end of each time slice, stops the code past
``lua.timeout`` (the thread's CPU time, so waiting does not count) or ``lua.max-memory``, and ends a
handler whose request was cancelled. Such a state is discarded, never reused.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
import weakref
from typing import Any, Callable

import anyio
import anyio.from_thread

from ..libs import Export, LibraryRegistry, LuaRuntimeError
from ..lua_interp import Interpreter, LuaError, LuaInterrupt, LuaMemoryError, LuaTable
from ..lua_interp.lobject import type_name
from ..messages import Request, Response
from .lark_json import NATIVE
from .base import (Engine, HandlerError, LimitExceeded, ServiceLoadError, SourceFile, limit_text,
                   read_sandbox, resolve_module, response_from_fields, syntax_failure)
from .request_data import DEFAULT_MAX_PARTS, RequestData
from .lark_tables import read_response, request_tables
from .lark_threads import HandlerThreads, loop_token
from .lark_trace import LineTracer

log = logging.getLogger("petrel.lua")

SANDBOX_CHUNK = "=petrel sandbox"
MAX_TABLE_DEPTH = 32
# Deep (non-tail) Lua recursion is deep Python recursion: handler threads get room for it.
THREAD_STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 20000
CHECKIN_EVERY = 1000
MAX_HANDLER_THREADS = 4096
_TRACE_LINE = re.compile(r"^\s*([^\s\[][^:]*:\d+):", re.MULTILINE)


class RequestCancelled(LuaInterrupt):
    """Raised inside Lua code when its request was cancelled (the client went away); no pcall
    catches it."""


class LarkState:
    __slots__ = ("state", "fns", "installed", "classes", "cancelled", "lib_version", "held", "data",
                 "quiet", "__weakref__")

    def __init__(self, state: Any, data: RequestData) -> None:
        self.state = state
        self.data = data   # the request being served, for what the handler reads of it on demand
        self.fns: dict[str, Any] = {}
        self.installed: set[str] = set()
        self.classes: dict[type, LuaTable] = {}
        self.cancelled = False
        # The engine's own calls after a run (what stopped it, the end of the request): no check-in
        # there, which would raise the stop again, or the timeout of the run that has ended.
        self.quiet = False
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


def _preempt() -> tuple:
    time.sleep(0)   # the time slice is spent: let the event loop's thread have the GIL
    return ()


def _request_data_hook(data: RequestData) -> Callable:
    """The sandbox's hooks.request_data: (true, sequence table) or (false, message)."""
    def request_data(kind: Any = None, name: Any = None, *_: Any) -> tuple:
        ok, values = data.answer(str(kind), name.encode("latin-1") if type(name) is str else None)
        if not ok:
            return (False, values.encode("utf-8", "replace").decode("latin-1"))
        return (True, LuaTable({i: v.decode("latin-1") for i, v in enumerate(values, 1)}))
    return request_data


def _entropy() -> tuple:
    return (int.from_bytes(os.urandom(6), "big"),)


def _clock() -> tuple:
    return (time.thread_time(),)


_MISSING = object()
_CANCELLED = object()


async def _call_async(export: Export, ctx: Any, target: Any, args: tuple) -> Any:
    """An async library call made for a handler's thread. When the event loop cancels it (the
    server stops while an abandoned handler still waits), the thread gets _CANCELLED and the Lua
    code an error, instead of the call's task ending with an exception nobody collects."""
    try:
        return await export.call_async(ctx, target, args)
    except anyio.get_cancelled_exc_class():
        return _CANCELLED


class _LoadTimeTables:
    """The sandbox's load-time tables of one state, copied and compared in Python (the same policy
    as the sandbox's Lua loop, about twenty times faster on this engine): ``seal(t)`` when the
    state's first request begins, ``unseal()`` at the end of every request."""

    __slots__ = ("tables",)

    def __init__(self) -> None:
        self.tables: list[tuple[LuaTable, dict, Any]] = []

    def seal(self, table: Any = None, *_: Any) -> tuple:
        if isinstance(table, LuaTable):
            self.tables.append((table, dict(table.hash), table.meta))
        return ()

    def unseal(self, *_: Any) -> tuple:
        for table, copy, meta in self.tables:
            fields = table.hash
            if table.meta is not meta or len(fields) != len(copy) or not _same_fields(fields, copy):
                fields.clear()
                fields.update(copy)
                table.keys = None
                table.meta = meta
        return ()


def _same_fields(fields: dict, copy: dict) -> bool:
    for key, value in fields.items():
        was = copy.get(key, _MISSING)
        # identical, or equal and of the same type (1 and 1.0, true and 1 are different Lua values)
        if was is not value and (type(was) is not type(value) or was != value):
            return False
    return True


class LarkEngine(Engine):
    name = "lark"

    def __init__(self, config: Any, libraries: LibraryRegistry) -> None:
        super().__init__(config, libraries)
        self.interpreter = Interpreter()
        self.handles: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        # What tostring(obj) shows, as on lupa: the type and a serial number, no address.
        self.serials: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.serial = 0
        self.threads = HandlerThreads(MAX_HANDLER_THREADS)   # one per running (or sleeping) handler call
        self.tracer = LineTracer() if getattr(config, "lua_trace", False) else None   # lua.trace
        self.sandbox = read_sandbox()
        self._lua_chunks: dict[str, bytes] = {}   # library.lua_chunk -> its text
        threading.stack_size(THREAD_STACK_BYTES)
        if sys.getrecursionlimit() < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)

    @property
    def description(self) -> str:
        return "lark, petrel.lua_interp (pure-Python Lua 5.4)"

    # -- states ------------------------------------------------------------------------------------
    def new_state(self, sources: list[SourceFile]) -> LarkState:
        data = RequestData(getattr(self.config, "server_max_form_parts", DEFAULT_MAX_PARTS))
        lstate = LarkState(self.interpreter.new_state(), data)
        state = lstate.state
        max_memory = self.config.lua_max_memory
        if max_memory:
            state.set_memory_limit(max_memory * 1024 * 1024)

        def memory() -> tuple:
            return (state.memory_used() / 1024,)
        load_time = _LoadTimeTables()
        hooks = _table({"read_module": self._read_module, "clock": _clock, "preempt": _preempt,
                        "memory": memory, "entropy": _entropy, "threaded": True,
                        "seal": load_time.seal, "unseal": load_time.unseal,
                        "request_data": _request_data_hook(data)})
        sandbox = state.load(self.sandbox, SANDBOX_CHUNK)
        fns = state.call(sandbox, hooks, self.config.lua_timeout, self.config.lua_max_memory)[0]
        lstate.fns = {key: value for key, value in fns.items()}
        # The sandbox's closures hold the environment, the overlay and what the files define.
        state.add_memory_root(fns)
        self._install_libraries(lstate)
        checkin = lstate.fns["checkin"]

        def interrupt() -> None:
            if lstate.quiet:
                return
            if lstate.cancelled:
                raise RequestCancelled("request cancelled")
            state.call(checkin)
        state.set_interrupt(interrupt, CHECKIN_EVERY)
        load_source = lstate.fns["load_source"]
        for source in sources:
            result = state.call(load_source, source.text.decode("latin-1"), "@" + source.name)
            if result[0] is not True:
                traceback = result[2] if len(result) > 2 else ""
                if traceback:
                    log.debug("%s", traceback)
                raise ServiceLoadError(f"loading {source.name} failed: {_text(result[1])}")
        return lstate

    def _read_module(self, name: Any = None, *_: Any) -> tuple:
        if type(name) is not str:
            return (None,)
        path = resolve_module(self.config.lua_root, name.encode("latin-1").decode("utf-8", "replace"))
        if path is None:
            return (None,)
        with open(path, "rb") as handle:
            text = handle.read()
        chunkname = "@" + os.path.relpath(path, os.path.realpath(self.config.lua_root))
        return (text.decode("latin-1"), chunkname.encode("utf-8").decode("latin-1"))

    def _install_libraries(self, lstate: LarkState) -> None:
        install_library, install_global = lstate.fns["install_library"], lstate.fns["install_global"]
        call = lstate.state.call
        for library in self.libraries.libraries:
            if library.name in lstate.installed:
                continue
            functions = LuaTable()
            for name, export in library.functions.items():
                functions.rawset(name, self._stub(lstate, export))
            constants = LuaTable()
            for name, value in library.constants.items():
                constants.rawset(name, self._to_lua(lstate, value))
            constructor = self._stub(lstate, library.constructor) if library.constructor else None
            if library.lua_chunk:
                functions, constructor = self._lua_fields(lstate, library, functions, constructor)
            call(install_library, library.name, functions, constructor, constants, library.as_table)
            for name, export in library.globals.items():
                call(install_global, name, self._stub(lstate, export))
            for hook in library.on_state_init:
                hook(self.libraries.ctx)
            lstate.installed.add(library.name)
        lstate.lib_version = self.libraries.version

    def _lua_fields(self, lstate: LarkState, library: Any, python: LuaTable, constructor: Any) -> tuple:
        """The fields a library's Lua chunk makes (the interpreter caches the compiled chunk), and
        the constructor: the one the chunk returns second, if it does."""
        text = self._lua_chunks.get(library.lua_chunk)
        if text is None:
            with open(library.lua_chunk, "rb") as handle:
                text = self._lua_chunks[library.lua_chunk] = handle.read()
        fns = lstate.fns
        chunk = lstate.state.load(text, f"=petrel {library.name}")
        helpers = _table({"checkin": fns["checkin"], "readonly": fns["readonly"],
                          "concat": fns.get("concat"), "make_class": fns["make_class"],
                          "new_object": fns["new_object"], "python": python})
        native = NATIVE.get(library.name)
        if native is not None:
            runtime = lstate.state.runtime
            helpers.rawset("native", lambda *args: (native(runtime, *args[:3]),))
        made = lstate.state.call(chunk, helpers)
        return made[0], (made[1] if len(made) > 1 and made[1] is not None else constructor)

    # -- crossing the boundary -----------------------------------------------------------------
    def _stub(self, lstate: LarkState, export: Export, owner: type | None = None) -> Callable:
        """A Lua function calling ``export``; ``owner``: a method of that class's objects."""
        ctx = self.libraries.ctx
        to_python = lstate.state.to_python   # strings to bytes, tables to dicts (cycle-safe)
        results = self._results
        handles = self.handles
        name = export.name
        is_async = export.is_async
        method = owner is not None
        invoke = export.bind(ctx)   # (target, checked arguments) -> value

        def stub(*args: Any) -> tuple:
            target = None
            if method:
                self_table = args[0] if args else None
                target = handles.get(self_table) if type(self_table) is LuaTable else None
                if not isinstance(target, owner):
                    raise LuaError(f"calling '{name}' on bad self")
                args = args[1:]
            try:
                # (strings are most arguments: Latin-1 text here, bytes for the library)
                converted = tuple([a.encode("latin-1") if type(a) is str else to_python(a) for a in args])
            except TypeError:   # a table key that is a table
                raise LuaError(f"{name}: a table used as a table key cannot be passed to a library") from None
            try:
                if is_async:
                    value = anyio.from_thread.run(_call_async, export, ctx, target, converted,
                                                  token=loop_token())
                    if value is _CANCELLED:
                        raise LuaError(f"{name}: the server is stopping")
                else:
                    value = invoke(target, converted)
                if value is None:
                    return ()
                kind = type(value)
                if kind is bytes:
                    return (value.decode("latin-1"),)
                if kind is bool or kind is float or (kind is int and -2**63 <= value < 2**63):
                    return (value,)
                return results(lstate, value)
            except LuaRuntimeError as exc:
                raise LuaError(str(exc)) from None
            except LuaError:
                raise
            except Exception as exc:
                log.error("library function '%s' failed", name, exc_info=True)
                raise LuaError(f"{name}: internal error (the server log has the details)") from None
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
                methods.rawset(method_name, self._stub(lstate, export, owner=object_type.cls))
            type_label = object_type.name
            if object_type.lua_methods:
                lstate.state.call(lstate.fns["extend_class"], methods, object_type.lua_methods, type_label)

            def refuse(_t: Any, key: Any, _v: Any) -> tuple:
                raise LuaError(f"attempt to set field '{_key_text(key)}' of a {type_label} object")

            def show(t: Any) -> tuple:
                return (f"{type_label}: {self.serials.get(t, 0)}",)

            meta = _table({"__index": methods, "__newindex": refuse, "__tostring": show,
                           "__name": type_label, "__metatable": False})
            lstate.classes[object_type.cls] = meta
        obj = LuaTable()
        obj.meta = meta
        self.handles[obj] = value
        self.serial += 1
        self.serials[obj] = self.serial
        lstate.held.append(value)
        return obj

    # -- running -------------------------------------------------------------------------------
    async def _run(self, lstate: LarkState, step: Any) -> tuple:
        """Run the sandbox's step function (Lua code) in a worker thread. If the request is
        cancelled (the client went away), stop waiting at once and flag the state: the interrupt
        check then ends the Lua code within a few thousand steps, and the state is discarded."""
        lstate.cancelled = False
        try:
            if self.tracer is not None:
                return await self.threads.run(self.tracer.call, lstate.state.call, step)
            return await self.threads.run(lstate.state.call, step)
        except anyio.get_cancelled_exc_class():
            lstate.cancelled = True
            raise

    def _failure(self, lstate: LarkState, handler: str, exc: LuaError) -> HandlerError:
        traceback = exc.traceback or ""
        if isinstance(exc, LuaMemoryError):   # lua_interp's own accounting refused an allocation
            stop: tuple = ("memory", None)
        else:
            stop = self._quiet_call(lstate, lstate.fns["stop_info"], exc.value)
        if stop and stop[0] is not None:
            lstate.cancelled = True   # stopped anywhere: never reuse the state
            kind = stop[0]
            where = stop[1] if len(stop) > 1 and stop[1] else _where(traceback)
            return LimitExceeded(handler, kind, where, limit_text(self.config, kind), traceback)
        return HandlerError(handler, _message(exc), traceback)

    async def bootstrap(self, lstate: LarkState) -> None:
        outcome = lstate.state.call(lstate.fns["start_bootstrap"])
        if outcome[0] == "missing":
            raise ServiceLoadError("the service defines no global function 'bootstrap' "
                                   f"(found {outcome[1]})")
        try:
            await self._run(lstate, outcome[1])
        except LuaError as exc:
            error = self._failure(lstate, "bootstrap", exc)
            if error.traceback:
                log.debug("%s", error.traceback)
            raise ServiceLoadError(f"bootstrap() failed: {error.reason}") from None

    async def handle(self, lstate: LarkState, handler: str, request: Request) -> Response:
        if lstate.lib_version != self.libraries.version:
            self._install_libraries(lstate)
        call = lstate.state.call
        lstate.data.request = request
        request_table, response_table = request_tables(request)
        outcome = call(lstate.fns["start_prepared"], handler, request_table, response_table)
        if outcome[0] == "missing":
            raise HandlerError(handler, f"no global function '{handler}' (it is {outcome[1]})")
        try:
            results = await self._run(lstate, outcome[1])
        except LuaError as exc:
            raise lstate.data.failure(self._failure(lstate, handler, exc)) from None
        status, content, headers = read_response(handler, results[2] if results[1] else None, type_name)
        if type(content) is str:
            content = content.encode("latin-1")
        if type(headers) is list:
            headers = [(_bytes(k), _bytes(v)) for k, v in headers]
        return response_from_fields(handler, status, content, headers, type_name)

    async def evaluate(self, lstate: LarkState, text: str) -> list[str]:
        if lstate.lib_version != self.libraries.version:
            self._install_libraries(lstate)
        outcome = lstate.state.call(lstate.fns["start_eval"], text.encode().decode("latin-1"), "=stdin")
        if outcome[0] == "syntax":
            raise syntax_failure(_text(outcome[1]))
        try:
            results = await self._run(lstate, outcome[1])
        except LuaError as exc:
            raise self._failure(lstate, "stdin", exc) from None
        return [_text(value) for value in results[3:3 + results[2]]]

    def reset(self, lstate: LarkState) -> bool:
        lstate.held.clear()
        lstate.data.clear()
        if lstate.cancelled:
            return False
        self._quiet_call(lstate, lstate.fns["end_request"])
        return True

    @staticmethod
    def _quiet_call(lstate: LarkState, fn: Any, *args: Any) -> Any:
        lstate.quiet = True
        try:
            return lstate.state.call(fn, *args)
        finally:
            lstate.quiet = False

    def close_state(self, lstate: LarkState) -> None:
        lstate.held.clear()
        lstate.classes.clear()
        lstate.fns.clear()


def _bytes(value: Any) -> Any:
    return value.encode("latin-1") if type(value) is str else value


def _text(value: Any) -> str:
    if type(value) is str:
        return value.encode("latin-1", "replace").decode("utf-8", "replace")
    return str(value)


def _where(traceback: str) -> str:
    """The first Lua position of a traceback that is not the sandbox's own."""
    for match in _TRACE_LINE.finditer(traceback):
        position = match.group(1)
        if not position.startswith("petrel ") and not position.endswith(":0"):   # the sandbox, json
            return position
    return "?"


def _message(exc: LuaError) -> str:
    return str(exc).encode("latin-1", "replace").decode("utf-8", "replace")


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    return type_name(key) if key is None or isinstance(key, LuaTable) else str(key)


ENGINE = LarkEngine

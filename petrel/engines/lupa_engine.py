"""The lupa engine: LuaJIT (default) or PUC Lua 5.1-5.5 through the lupa C bindings.

Execution model: Lua runs on the event loop's thread. Every handler call is a Lua coroutine inside
its state; the request's anyio task resumes it. When Lua calls an ``async def`` library function the
stub yields to this driver, which awaits the Python coroutine in the request's task and resumes Lua
with the results, so a sleep or an outbound call suspends only that request. The source is loaded
with check-ins (:mod:`.instrument`); when a time slice is spent the coroutine yields PREEMPT and the
driver lets the loop run other tasks before resuming it, and past ``lua.timeout`` or
``lua.max-memory`` the sandbox stops the code and the state is discarded. There is no thread hop
and no lock on the hot path.

Strings cross as bytes (``encoding=None``), so bodies and binary data round-trip exactly. Python
objects never reach Lua code: library functions are wrapped in Lua stubs holding them as upvalues,
objects are Lua tables whose Python handle sits in a weak table the sandbox cannot see, and every
attribute access on a Python object from Lua is refused.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any, Callable

import anyio

from ..libs import Export, LibraryRegistry, LuaRuntimeError, lua_type_name
from ..messages import Request, Response
from .base import (Engine, EngineUnavailable, HandlerError, LimitExceeded, ServiceLoadError, SourceFile,
                   limit_text, read_patterns, read_sandbox, request_values, resolve_module, response_from_fields,
                   response_from_flat, syntax_failure, header_list_error)
from .instrument import InstrumentError, instrument
from .lupa_calls import OK as _OK, PLAIN as _PLAIN, CallMaker, bad_self, internal_error
from .request_data import DEFAULT_MAX_PARTS, RequestData

try:
    import lupa
except ImportError as exc:  # pragma: no cover - exercised by the no-lupa tox environment
    raise ModuleNotFoundError("lupa", name="lupa") from exc

log = logging.getLogger("petrel.lua")

RUNTIME_MODULES = {
    "luajit": "lupa.luajit21",
    "lua51": "lupa.lua51",
    "lua52": "lupa.lua52",
    "lua53": "lupa.lua53",
    "lua54": "lupa.lua54",
    "lua55": "lupa.lua55",
}

# PUC Lua allocates through lupa, which can refuse past a limit; LuaJIT's GC64 allocator cannot be
# replaced, so there the sandbox's check-ins account memory alone.
_ALLOCATOR_LIMIT = frozenset(("lua51", "lua52", "lua53", "lua54", "lua55"))
MAX_TABLE_DEPTH = 32
_CONVERTED = frozenset((str, dict, list, int))   # made into Lua values by _to_lua
_PAIRS_START = 15      # request_values: 3 counts and 12 scalar fields, then the pairs
_MAX_ARGUMENTS = 1000  # arguments of one call into Lua (Lua 5.1 guarantees a C stack of 8000 slots)


def _deny_attribute(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("Python attributes are not accessible from Lua")


class LupaState:
    """One lupa LuaRuntime holding the service, and the prelude functions that drive it."""

    __slots__ = ("runtime", "fns", "lib_version", "installed", "classes", "lua_type", "dead", "data")

    def type_name(self, value: Any) -> str:
        """Lua's name for the type of a value that came out of this state."""
        return self.lua_type(value) or lua_type_name(value)

    def __init__(self, runtime: Any, fns: dict[str, Any], lua_type: Callable, data: RequestData) -> None:
        self.data = data   # the request being served, for what the handler reads of it on demand
        self.runtime = runtime
        self.fns = fns
        self.lib_version = 0
        self.installed: set[str] = set()
        self.classes: dict[type, Any] = {}
        self.lua_type = lua_type
        self.dead = False


class LupaEngine(Engine):
    name = "lupa"

    def __init__(self, config: Any, libraries: LibraryRegistry) -> None:
        super().__init__(config, libraries)
        if getattr(config, "lua_trace", False):
            raise EngineUnavailable("option 'lua.trace' (--trace) needs the lark engine: the lupa engine "
                                    "runs compiled Lua with no line hooks (use --engine=lark)")
        runtime_name = getattr(config, "lua_runtime", "luajit")
        try:
            self.module = importlib.import_module(RUNTIME_MODULES[runtime_name])
        except ImportError:
            raise EngineUnavailable(f"lupa has no '{runtime_name}' runtime on this machine "
                                    f"(option 'lua.runtime')") from None
        self.sandbox = read_sandbox()
        self.patterns = read_patterns()
        self.runtime_name = runtime_name
        self._instrumented: dict[tuple[bytes, bytes], bytes] = {}
        self._bytecode: dict[bytes, bytes] = {}
        self._calls = CallMaker(log)

    @property
    def description(self) -> str:
        probe = self.module.LuaRuntime()
        version = probe.lua_implementation or probe.eval("_VERSION")
        return f"lupa {lupa.__version__}, {version}"

    # -- states ------------------------------------------------------------------------------------
    def new_state(self, sources: list[SourceFile]) -> LupaState:
        options: dict[str, Any] = {}
        max_memory = getattr(self.config, "lua_max_memory", 0)
        if max_memory and self.runtime_name in _ALLOCATOR_LIMIT:
            # A little above the limit: the check-ins stop the handler cleanly first, the
            # allocator is the backstop for what one C call allocates.
            options["max_memory"] = max_memory * 1024 * 1024 + 4 * 1024 * 1024
        runtime = self.module.LuaRuntime(
            encoding=None, register_eval=False, register_builtins=False,
            unpack_returned_tuples=True, attribute_filter=_deny_attribute, **options)
        data = RequestData(getattr(self.config, "server_max_form_parts", DEFAULT_MAX_PARTS))
        hooks = runtime.table_from({b"read_module": self._read_module, b"instrument": self._instrument,
                                    b"entropy": _entropy,
                                    b"request_data": _request_data_hook(data, runtime.table_from)})
        lua_globals = runtime.globals()
        loader = lua_globals[b"loadstring"] or lua_globals[b"load"]
        hooks[b"patterns"] = loader(self._compiled(self.patterns, b"=petrel patterns"), b"=petrel patterns")
        sandbox = loader(self._compiled(self.sandbox, b"=petrel sandbox"), b"=petrel sandbox")
        fns_table = sandbox(hooks, getattr(self.config, "lua_timeout", 0), max_memory)
        fns = {key.decode(): value for key, value in fns_table.items()}
        # Nothing of the runtime but what the sandbox returned is reachable from service code; drop
        # the Python bridge from the real globals as well.
        runtime.execute(b"python = nil")
        state = LupaState(runtime, fns, self.module.lua_type, data)
        self._install_libraries(state)
        for source in sources:
            result = fns["load_source"](source.text, b"@" + source.name.encode())
            if result is not True and result[0] is not True:
                message = result[1].decode("utf-8", "replace")
                traceback = result[2].decode("utf-8", "replace") if len(result) > 2 else ""
                if traceback:
                    log.debug("%s", traceback)
                raise ServiceLoadError(f"loading {source.name} failed: {message}")
        return state

    def _compiled(self, text: bytes, chunkname: bytes) -> bytes:
        """sandbox.lua (and patterns.lua) compiled once: compiling took most of the time of making a
        state."""
        bytecode = self._bytecode.get(chunkname)
        if bytecode is None:
            probe = self.module.LuaRuntime(encoding=None, register_eval=False, register_builtins=False)
            lua_globals = probe.globals()
            loader = lua_globals[b"loadstring"] or lua_globals[b"load"]
            bytecode = self._bytecode[chunkname] = lua_globals[b"string"][b"dump"](loader(text, chunkname))
        return bytecode

    def _instrument(self, text: bytes, chunkname: bytes) -> Any:
        """The sandbox's hook: ``text`` with check-ins (cached: every state loads the same files)."""
        key = (text, chunkname)
        done = self._instrumented.get(key)
        if done is None:
            try:
                done = instrument(text.decode("latin-1"), chunkname.decode("latin-1").lstrip("@="),
                                  goto_keyword=self.runtime_name != "lua51").encode("latin-1")
            except InstrumentError as exc:
                return (None, str(exc).encode("latin-1", "replace"))
            if len(self._instrumented) < 4096:
                self._instrumented[key] = done
        return done

    def _read_module(self, name: Any) -> Any:
        if not isinstance(name, bytes):
            return None
        path = resolve_module(self.config.lua_root, name.decode("utf-8", "replace"))
        if path is None:
            return None
        with open(path, "rb") as handle:
            text = handle.read()
        chunkname = "@" + os.path.relpath(path, os.path.realpath(self.config.lua_root))
        return (text, chunkname.encode())

    def _install_libraries(self, state: LupaState) -> None:
        """Install every library of the registry this state does not have yet."""
        registry = self.libraries
        fns = state.fns
        table_from = state.runtime.table_from
        for library in registry.libraries:
            if library.name in state.installed:
                continue
            functions = {name.encode(): self._stub(state, export)
                         for name, export in library.functions.items()}
            constructor = self._stub(state, library.constructor) if library.constructor else None
            if library.lua_chunk:
                functions, constructor = self._lua_fields(state, library, table_from(functions), constructor)
            constants = {name.encode(): self._to_lua(state, value)
                         for name, value in library.constants.items()}
            fns["install_library"](library.name.encode(), table_from(functions), constructor,
                                   table_from(constants), library.as_table)
            for name, export in library.globals.items():
                fns["install_global"](name.encode(), self._stub(state, export))
            for hook in library.on_state_init:
                hook(registry.ctx)
            state.installed.add(library.name)
        state.lib_version = registry.version

    def _lua_fields(self, state: LupaState, library: Any, python: Any, constructor: Any) -> tuple:
        """The fields a library's Lua chunk makes (compiled once, run in each state), and the
        constructor: the one the chunk returns second, if it does."""
        chunkname = f"=petrel {library.name}".encode()
        if chunkname not in self._bytecode:
            with open(library.lua_chunk, "rb") as handle:
                self._compiled(handle.read(), chunkname)
        lua_globals = state.runtime.globals()
        loader = lua_globals[b"loadstring"] or lua_globals[b"load"]
        chunk = loader(self._bytecode[chunkname], chunkname)
        fns = state.fns
        made = chunk(state.runtime.table_from({b"checkin": fns["checkin"], b"readonly": fns["readonly"],
                                               b"concat": fns.get("concat"), b"make_class": fns["make_class"],
                                               b"new_object": fns["new_object"], b"python": python}))
        if isinstance(made, tuple):
            return made[0], (made[1] if made[1] is not None else constructor)
        return made, constructor

    # -- crossing the boundary -----------------------------------------------------------------
    def _stub(self, state: LupaState, export: Export, owner: type | None = None) -> Any:
        """A Lua function calling ``export``: Lua values in, ``(ok, results...)`` out. ``owner``:
        ``export`` is a method of that class's objects, called with the object first."""
        ctx = self.libraries.ctx
        to_python = self._to_python
        results = self._results
        name = export.name
        method = owner is not None
        wrong_self, internal = bad_self(name), internal_error(name)

        def arguments(args: tuple) -> tuple:
            # Strings, numbers, booleans and nil pass as they are; only tables need converting.
            for arg in args:
                if type(arg) not in _PLAIN:
                    return tuple(to_python(state, a) for a in args)
            return args

        if export.is_async:
            async def call_async(*args: Any) -> tuple:
                target, args = (args[0], args[1:]) if method else (None, args)
                if method and not isinstance(target, owner):
                    return wrong_self
                try:
                    value = await export.call_async(ctx, target, arguments(args))
                except LuaRuntimeError as exc:
                    return (False, str(exc).encode("utf-8", "surrogateescape"))
                except Exception as exc:
                    log.error("library function '%s' failed", name, exc_info=True)
                    return internal
                return results(state, value)
            if method:
                return state.fns["method_stub"](name.encode(), call_async, True)
            return state.fns["async_stub"](call_async)

        call = self._calls.sync_call(export, ctx, owner, lambda value: to_python(state, value),
                                     lambda value: results(state, value))
        if method:
            return state.fns["method_stub"](name.encode(), call, False)
        return state.fns["sync_stub"](call)

    def _results(self, state: LupaState, value: Any) -> tuple:
        kind = type(value)
        if kind in _PLAIN and (kind is not int or -2**63 <= value < 2**63):
            return _OK if value is None else (True, value)
        if kind is tuple:
            return (True,) + tuple(self._to_lua(state, v) for v in value)
        class_table = state.classes.get(kind)
        if class_table is None and kind not in _CONVERTED:
            class_table = self._class_table(state, value)
        if class_table is not None:
            return (class_table, value)   # one library object: the sandbox's check makes it
        return (True, self._to_lua(state, value))

    def _to_lua(self, state: LupaState, value: Any, depth: int = 0) -> Any:
        if value is None or isinstance(value, (bool, bytes, float)):
            return value
        if isinstance(value, int):
            return value if -2**63 <= value < 2**63 else float(value)
        if isinstance(value, str):
            return value.encode("utf-8", "surrogateescape")
        if depth > MAX_TABLE_DEPTH:
            raise LuaRuntimeError("value nested too deeply to pass to Lua")
        if isinstance(value, dict):
            table = state.runtime.table()
            for key, item in value.items():
                table[self._to_lua(state, key, depth + 1)] = self._to_lua(state, item, depth + 1)
            return table
        if isinstance(value, (list, tuple)):
            return state.runtime.table(*(self._to_lua(state, item, depth + 1) for item in value))
        class_table = state.classes.get(type(value)) or self._class_table(state, value)
        if class_table is None:
            raise LuaRuntimeError(f"cannot pass a Python {type(value).__name__} to Lua")
        return state.fns["new_object"](class_table, value)

    def _class_table(self, state: LupaState, value: Any) -> Any:
        """The Lua class of a library object (made on first use in each state), or None when
        ``value`` is no library's object."""
        object_type = self.libraries.find_object_type(value)
        if object_type is None:
            return None
        class_table = state.classes.get(object_type.cls)
        if class_table is None:
            methods = {name.encode(): self._stub(state, export, owner=object_type.cls)
                       for name, export in object_type.methods.items()}
            class_table = state.fns["make_class"](object_type.name.encode(),
                                                  state.runtime.table_from(methods))
            if object_type.lua_methods:
                state.fns["extend_class"](class_table[b"__index"], object_type.lua_methods.encode(),
                                          object_type.name.encode())
            state.classes[object_type.cls] = class_table
        state.classes[type(value)] = class_table   # (a subclass finds its class at once next time)
        return class_table

    def _to_python(self, state: LupaState, value: Any, depth: int = 0, seen: dict | None = None) -> Any:
        if value is None or isinstance(value, (bool, int, float, bytes)):
            return value
        kind = state.lua_type(value)
        if kind == "table":
            seen = {} if seen is None else seen
            key = id(value)
            if key in seen:
                return seen[key][1]
            if depth > MAX_TABLE_DEPTH:
                raise LuaRuntimeError("table nested too deeply")
            result: dict = {}
            # lupa makes a new wrapper object for every access: holding it keeps its id from being
            # reused by the wrapper of another table (which would then convert as this one).
            seen[key] = (value, result)
            for k, v in value.items():
                key = self._to_python(state, k, depth + 1, seen)
                if type(key) is dict:
                    raise LuaRuntimeError("a table used as a table key cannot be passed to a library")
                result[key] = self._to_python(state, v, depth + 1, seen)
            return result
        return value

    # -- running -------------------------------------------------------------------------------
    async def _drive(self, state: LupaState, step: Any) -> tuple:
        """Resume the coroutine behind ``step`` until it finishes; await what it yields.

        Returns ("done", results), ("error", message, traceback) or ("limit", kind, where,
        traceback). A cancelled request leaves its coroutine suspended anywhere: the state is
        discarded.
        """
        send: tuple = ()
        try:
            while True:
                outcome = step(*send)
                kind = outcome[0]
                if kind == b"done":
                    return ("done", outcome[2:2 + outcome[1]])
                if kind == b"preempt":
                    send = ()
                    await anyio.sleep(0)   # the time slice is spent: let other requests run
                    continue
                if kind == b"error":
                    return ("error", _text(outcome[1]), _text(outcome[2]))
                if kind == b"limit":
                    state.dead = True
                    return ("limit", _text(outcome[1]), _text(outcome[2]), _text(outcome[3]))
                # b"yield": (count, python coroutine function, args...)
                call_async = outcome[2]
                send = await call_async(*outcome[3:2 + outcome[1]])
        except BaseException:
            state.dead = True
            raise

    async def _finish_request(self, state: LupaState, handler: str, outcome: tuple) -> tuple:
        """Go on with a handler that did not finish in its first slice (the sandbox's
        handle_request): until it answers, as :meth:`_drive` does. Returns the "response" outcome."""
        kind = outcome[0]
        if kind == b"missing":
            raise HandlerError(handler, f"no global function '{handler}' (it is {_text(outcome[1])})")
        resume = state.fns["resume_request"]
        try:
            while kind == b"preempt" or kind == b"yield":
                step = outcome[1]
                if kind == b"preempt":
                    await anyio.sleep(0)   # the time slice is spent: let other requests run
                    outcome = resume(step)
                else:   # (step, count, python coroutine function, args...)
                    send = await outcome[3](*outcome[4:3 + outcome[2]])
                    outcome = resume(step, *send)
                kind = outcome[0]
        except BaseException:
            state.dead = True   # (cancelled in the middle of the handler: the state is discarded)
            raise
        if kind == b"error":
            raise state.data.failure(HandlerError(handler, _text(outcome[2]), _text(outcome[3])))
        if kind == b"limit":
            state.dead = True
            raise state.data.failure(self._failure(
                handler, ("limit", _text(outcome[2]), _text(outcome[3]), _text(outcome[4]))))
        return outcome

    def _failure(self, handler: str, result: tuple) -> HandlerError:
        if result[0] == "limit":
            return LimitExceeded(handler, result[1], result[2], limit_text(self.config, result[1]),
                                 result[3])
        return HandlerError(handler, result[1], result[2])

    async def bootstrap(self, state: LupaState) -> None:
        outcome = state.fns["start_bootstrap"]()
        if outcome[0] == b"missing":
            raise ServiceLoadError("the service defines no global function 'bootstrap' "
                                   f"(found {_text(outcome[1])})")
        result = await self._drive(state, outcome[1])
        if result[0] != "done":
            error = self._failure("bootstrap", result)
            log.debug("%s", error.traceback)
            raise ServiceLoadError(f"bootstrap() failed: {error.reason}")

    async def handle(self, state: LupaState, handler: str, request: Request) -> Response:
        if state.lib_version != self.libraries.version:
            self._install_libraries(state)
        fns = state.fns
        state.data.request = request
        values = request_values(request)
        if len(values) > _MAX_ARGUMENTS:
            # More pairs than Lua's C stack takes as arguments: they cross as one sequence table.
            values[_PAIRS_START:] = [state.runtime.table_from(values[_PAIRS_START:])]
        outcome = fns["handle_request"](handler.encode(), *values)
        if outcome[0] != b"response":
            outcome = await self._finish_request(state, handler, outcome)
        checked = outcome[1:]
        if checked[0] is not True:
            raise HandlerError(handler, f"the handler returned {_text(checked[1])}, not the response table")
        status, content, headers = checked[1], checked[2], checked[3]
        if headers is True:
            return response_from_flat(handler, status, content, checked, 4, state.type_name)
        if headers is False and len(checked) > 4:
            raise header_list_error(handler, *checked[4:7])
        return response_from_fields(handler, status, content, headers, state.type_name)

    async def evaluate(self, state: LupaState, text: str) -> list[str]:
        if state.lib_version != self.libraries.version:
            self._install_libraries(state)
        outcome = state.fns["start_eval"](text.encode(), b"=stdin")
        if outcome[0] == b"syntax":
            raise syntax_failure(_text(outcome[1]))
        result = await self._drive(state, outcome[1])
        if result[0] != "done":
            raise self._failure("stdin", result)
        values = result[1]
        return [_text(value) for value in values[1:1 + values[0]]]

    def reset(self, state: LupaState) -> bool:
        state.data.clear()
        if state.dead:
            return False
        state.fns["end_request"]()
        return True

    def close_state(self, state: LupaState) -> None:
        state.dead = True
        state.fns.clear()
        state.classes.clear()


def _request_data_hook(data: RequestData, table_from: Callable) -> Callable:
    """The sandbox's hooks.request_data: (true, sequence table) or (false, message)."""
    def request_data(kind: bytes, name: Any = None) -> tuple:
        ok, values = data.answer(kind.decode("latin-1"), name if isinstance(name, bytes) else None)
        if not ok:
            return (False, values.encode("utf-8", "replace"))
        return (True, table_from(values))
    return request_data


def _entropy() -> int:
    """A seed for math.random after a request chose its own (48 bits: exact in a Lua number)."""
    return int.from_bytes(os.urandom(6), "big")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


ENGINE = LupaEngine

"""The engine-neutral library interface.

A library is plain Python: a :class:`Library` object naming the Lua global, its static functions
(``mylib.f(...)``), an optional constructor (``obj = mylib(...)``) whose object's public methods Lua
calls as ``obj:m(...)``, and hooks run when the library is loaded, unloaded and when each Lua state is
made. Engines never see the Python functions themselves: they see :class:`Export` values and call
:meth:`Export.call` (or ``await`` :meth:`Export.call_async` for ``async def`` functions, which suspend
only the calling request).

Values crossing the boundary, in either direction:

=====================  =====================================================
Lua                     Python
=====================  =====================================================
nil, boolean            None, bool
integer, float          int, float
string                  bytes (engines pass these); ``str`` parameters get UTF-8 text
table                   dict (engines convert tables before the call)
library object          the Python object the constructor or a method returned
=====================  =====================================================

Parameters are checked against their annotations, so a wrong argument is the Lua error Lua itself
would give: ``bad argument #1 to 'add_route' (string expected, got nil)``. A function that wants the
server context names its first parameter ``ctx``.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import typing
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import anyio

from ..luavalues import LuaRuntimeError, lua_type_name
from ..luavalues import number_text as _number_text


def _to_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, str)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        text = text.strip()
        try:
            return int(text, 0) if text.lower().lstrip("+-").startswith("0x") else int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return None
    return None


def _check_str(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    raise TypeError("string")


def _check_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value).encode()
    raise TypeError("string")


def _check_int(value: Any) -> int:
    number = _to_number(value)
    if number is None:
        raise TypeError("number")
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError("number has no integer representation")
        number = int(number)
    return number


def _check_float(value: Any) -> float:
    number = _to_number(value)
    if number is None:
        raise TypeError("number")
    return float(number)


def _check_bool(value: Any) -> bool:
    # Lua truthiness: only nil and false are false.
    return value is not None and value is not False


def _check_dict(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    raise TypeError("table")


def _check_any(value: Any) -> Any:
    return value


_CHECKERS: dict[Any, Callable[[Any], Any]] = {
    str: _check_str,
    bytes: _check_bytes,
    int: _check_int,
    float: _check_float,
    bool: _check_bool,
    dict: _check_dict,
}


@dataclass(slots=True)
class _Param:
    name: str
    check: Callable[[Any], Any]
    has_default: bool
    default: Any
    optional: bool   # None (nil) accepted and passed through


class Export:
    """One Python callable made callable from Lua, with Lua-style argument checking."""

    __slots__ = ("name", "qualname", "func", "is_async", "wants_ctx", "is_method", "params",
                 "varargs", "library")

    def __init__(self, func: Callable, name: str, library: "Library", is_method: bool = False) -> None:
        self.func = func
        self.name = name
        self.library = library
        self.qualname = name
        self.is_method = is_method
        self.is_async = inspect.iscoroutinefunction(func)
        signature = inspect.signature(func)
        try:
            hints = typing.get_type_hints(func)
        except Exception:  # an annotation that cannot be resolved checks nothing
            hints = {}
        params = list(signature.parameters.values())
        if is_method:
            params = params[1:]  # self
        self.wants_ctx = bool(params) and params[0].name == "ctx"
        if self.wants_ctx:
            params = params[1:]
        self.params: list[_Param] = []
        self.varargs = False
        for param in params:
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                self.varargs = True
                continue
            if param.kind not in (inspect.Parameter.POSITIONAL_ONLY,
                                  inspect.Parameter.POSITIONAL_OR_KEYWORD):
                continue
            hint = hints.get(param.name, Any)
            optional = False
            origin = typing.get_origin(hint)
            if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
                args = [a for a in typing.get_args(hint) if a is not type(None)]
                optional = len(args) < len(typing.get_args(hint))
                hint = args[0] if len(args) == 1 else Any
            check = _CHECKERS.get(hint, _check_any)
            has_default = param.default is not inspect.Parameter.empty
            self.params.append(_Param(param.name, check, has_default, param.default, optional))

    def _arg_error(self, index: int, message: str) -> LuaRuntimeError:
        return LuaRuntimeError(f"bad argument #{index} to '{self.name}' ({message})")

    def convert_args(self, args: tuple) -> list:
        given = len(args)
        converted = [self.convert_one(index, args[index] if index < given else None)
                     for index in range(len(self.params))]
        if self.varargs:
            converted.extend(args[len(self.params):])
        return converted

    def convert_one(self, index: int, value: Any) -> Any:
        """The Python value of Lua argument ``index`` (from 0; nil is None), checked against its
        parameter, or the LuaRuntimeError Lua would raise."""
        param = self.params[index]
        if value is None:
            if param.has_default:
                return param.default
            if param.optional or param.check is _check_any:
                return None
            if param.check is _check_bool:
                return False
        try:
            return param.check(value)
        except TypeError as exc:
            raise self._arg_error(index + 1, f"{exc} expected, got {lua_type_name(value)}") from None
        except ValueError as exc:
            raise self._arg_error(index + 1, str(exc)) from None

    def param_kinds(self) -> list[type | None]:
        """Each parameter's Python type among str, bytes, int, float, bool and dict, or None for
        any value: what an engine needs to check the common arguments in line."""
        kinds = {check: kind for kind, check in _CHECKERS.items()}
        return [kinds.get(param.check) for param in self.params]

    def _arguments(self, ctx: "LibraryContext", target: Any, args: tuple) -> list:
        """The Python arguments: [self] [ctx] checked Lua arguments."""
        converted = self.convert_args(args)
        prefix = []
        if self.is_method:
            if target is None:
                raise LuaRuntimeError(f"calling '{self.name}' on bad self")
            prefix.append(target)
        if self.wants_ctx:
            prefix.append(ctx)
        return prefix + converted

    def bind(self, ctx: "LibraryContext") -> Callable[[Any, tuple], Any]:
        """This export as a function ``(target, lua_args) -> result`` for one context, shaped once
        so that a call does only its own work: a function of no arguments skips the conversion;
        ``target`` (the object of a method) must already be checked by the engine."""
        func, convert = self.func, self.convert_args
        if not self.params and not self.varargs:   # extra Lua arguments are ignored, as always
            if self.is_method:
                if self.wants_ctx:
                    return lambda target, args: func(target, ctx)
                return lambda target, args: func(target)
            if self.wants_ctx:
                return lambda target, args: func(ctx)
            return lambda target, args: func()
        if self.is_method:
            if self.wants_ctx:
                return lambda target, args: func(target, ctx, *convert(args))
            return lambda target, args: func(target, *convert(args))
        if self.wants_ctx:
            return lambda target, args: func(ctx, *convert(args))
        return lambda target, args: func(*convert(args))

    def call(self, ctx: "LibraryContext", target: Any, args: tuple) -> Any:
        """Call a synchronous export. ``target`` is the object for a method, else None."""
        return self.func(*self._arguments(ctx, target, args))

    async def call_async(self, ctx: "LibraryContext", target: Any, args: tuple) -> Any:
        return await self.func(*self._arguments(ctx, target, args))


@dataclass(slots=True)
class ObjectType:
    """The Lua face of a Python class whose instances Lua code holds: its name and exported methods.

    ``lua_methods``: Lua source of a chunk that receives the methods table (``...``) and adds or
    wraps methods in Lua, for what Python cannot do (call a handler's function and go on in the
    same coroutine: ``r:pipeline(function(p) ... end)``). It runs once per state with the standard
    globals; its functions are the library's own code, trusted like the Python methods."""
    name: str
    cls: type
    methods: dict[str, Export]
    lua_methods: str | None = None


class Library:
    """A Lua global table (or callable table) backed by Python functions."""

    def __init__(self, name: str, doc: str = "", as_table: bool = True) -> None:
        if not name.isidentifier():
            raise ValueError(f"library name {name!r} is not a Lua identifier")
        self.name = name
        self.doc = doc
        # False for a library of globals only (print and the LOG_* constants): no table is made
        # and its constants become globals.
        self.as_table = as_table
        self.functions: dict[str, Export] = {}
        self.constructor: Export | None = None
        self.constants: dict[str, Any] = {}
        self.object_types: dict[type, ObjectType] = {}
        self.on_load: list[Callable[["LibraryContext"], Any]] = []
        self.on_unload: list[Callable[["LibraryContext"], Any]] = []
        self.on_state_init: list[Callable[["LibraryContext"], Any]] = []
        self.globals: dict[str, Export] = {}   # plain global functions (print), not in the table
        # A Lua file whose chunk makes the table's fields in Lua (json, metric): each engine runs it in
        # every new state, with the sandbox's checkin, readonly, concat, make_class and new_object and
        # these functions' stubs ("python"), and installs what it returns: the fields, then
        # optionally the constructor (``metric()``), which replaces the Python one.
        self.lua_chunk: str | None = None

    # -- declaring -------------------------------------------------------------------------------
    def _exporter(self, into: dict[str, Export], func: Callable | None, name: str | None):
        def register(f: Callable) -> Callable:
            lua_name = name or f.__name__
            into[lua_name] = Export(f, lua_name, self)
            return f
        return register(func) if func is not None else register

    def function(self, func: Callable | None = None, *, name: str | None = None):
        """Decorator: export ``func`` as ``<library>.<name>``."""
        return self._exporter(self.functions, func, name)

    def global_function(self, func: Callable | None = None, *, name: str | None = None):
        """Decorator: export ``func`` as a global Lua function (not inside the library table)."""
        return self._exporter(self.globals, func, name)

    def object(self, cls: type | None = None, *, name: str | None = None, lua_methods: str | None = None):
        """Class decorator: instances may be handed to Lua; their public methods become ``obj:m()``
        (``lua_methods``: see ObjectType)."""
        def register(c: type) -> type:
            methods = {}
            for attr, member in vars(c).items():
                if attr.startswith("_") or not callable(member):
                    continue
                methods[attr] = Export(member, attr, self, is_method=True)
            self.object_types[c] = ObjectType(name or c.__name__, c, methods, lua_methods)
            return c
        return register(cls) if cls is not None else register

    def construct(self, func: Callable):
        """Decorator: ``<library>(...)`` in Lua calls ``func`` (a class or a factory)."""
        target = func.__init__ if isinstance(func, type) else func
        export = Export(target, self.name, self, is_method=isinstance(func, type))
        if isinstance(func, type):
            cls = func

            def create(*args: Any) -> Any:
                return cls(*args)
            export.func = create
            export.is_method = False
        self.constructor = export
        return func

    def constant(self, name: str, value: Any) -> None:
        self.constants[name] = value

    def load(self, func: Callable) -> Callable:
        self.on_load.append(func)
        return func

    def unload(self, func: Callable) -> Callable:
        self.on_unload.append(func)
        return func

    def state_init(self, func: Callable) -> Callable:
        self.on_state_init.append(func)
        return func

    def object_type(self, value: Any) -> ObjectType | None:
        for cls in type(value).__mro__:
            found = self.object_types.get(cls)
            if found is not None:
                return found
        return None


@dataclass
class LibraryContext:
    """What a library may reach of the server: configuration, metrics, DNS cache, router, logger."""
    config: Any
    logger: Any
    metrics: Any = None
    router: Any = None
    dns: Any = None
    lib_search_path: list[str] = field(default_factory=list)
    libraries: Any = None   # the LibraryRegistry
    extra: dict[str, Any] = field(default_factory=dict)

    def at_request_end(self, cleanup: Callable[[], Awaitable[None]]) -> bool:
        """Have ``cleanup`` awaited when the request (or ``bootstrap()``) now running ends.

        Objects that hold resources (an outbound connection) use it so that nothing outlives the
        request that made it. False when no request is running: the caller cleans up by itself.
        """
        cleanups = _request_cleanups.get()
        if cleanups is None:
            return False
        cleanups.append(cleanup)
        return True

    def refuse_in_handler(self, name: str) -> None:
        """Setup functions (routes, native libraries) belong to bootstrap() and load time: a
        request must not change what the whole server serves or imports."""
        if _in_handler.get():
            raise LuaRuntimeError(f"{name} is only available in bootstrap() and at load time, "
                                  "not while a request is handled")

    def request_scope(self, handler: bool = False) -> "_RequestScope":
        """The server wraps each handler call (``handler=True``) and bootstrap in this (``async
        with``); it runs the cleanups after."""
        return _RequestScope(handler)


class _RequestScope:
    """LibraryContext.request_scope: a class rather than an async generator, which cost a few
    microseconds of every request for its frames."""

    __slots__ = ("handler", "cleanups", "tokens")

    def __init__(self, handler: bool) -> None:
        self.handler = handler
        self.cleanups: list[Callable[[], Awaitable[None]]] = []

    async def __aenter__(self) -> None:
        self.tokens = (_request_cleanups.set(self.cleanups), _in_handler.set(self.handler))

    async def __aexit__(self, *exc_info: Any) -> None:
        token, handler_token = self.tokens
        _in_handler.reset(handler_token)
        _request_cleanups.reset(token)
        cleanups = self.cleanups
        if cleanups:
            # Shielded: a cancelled request (client gone, shutdown) still closes what it opened.
            with anyio.CancelScope(shield=True, deadline=anyio.current_time() + REQUEST_CLEANUP_SECONDS):
                for cleanup in reversed(cleanups):
                    try:
                        await cleanup()
                    except Exception:
                        logging.getLogger("petrel.libs").exception("request cleanup failed")


REQUEST_CLEANUP_SECONDS = 5.0
# The cleanups of the request running in the current task (see LibraryContext.at_request_end).
_request_cleanups: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "petrel_request_cleanups", default=None)
# True while a handler runs in the current task (see LibraryContext.refuse_in_handler).
_in_handler: contextvars.ContextVar[bool] = contextvars.ContextVar("petrel_in_handler", default=False)

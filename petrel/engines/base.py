"""The engine contract: the only way the server core talks to Lua.

An engine makes Lua states that hold a service (every ``*.lua`` file of ``lua.root`` loaded into a
restricted environment with the libraries of a :class:`~petrel.libs.LibraryRegistry`), runs
``bootstrap()`` once, and runs one handler call per request. The core never imports an engine
module; it gets an engine class from :func:`petrel.engines.get_engine` by name.

Each request runs in its own anyio task. ``handle`` is a coroutine: when Lua calls an ``async def``
library function (a sleep, an outbound request) the engine awaits it in that task, so only that
request waits. A state serves one request at a time; between requests :meth:`Engine.reset` makes it
clean again (globals written by the last request are gone).
"""

from __future__ import annotations

import abc
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, ClassVar
from urllib.parse import parse_qsl

from ..libs import LibraryRegistry
from ..messages import Request, Response

log = logging.getLogger("petrel.lua")


@dataclass(frozen=True, slots=True)
class SourceFile:
    name: str      # path relative to lua.root, used as the chunk name ("handlers/json.lua")
    path: str      # absolute path
    text: bytes


class ServiceLoadError(Exception):
    """The service cannot start: a syntax error, an error while loading a file, no bootstrap()."""


class EngineUnavailable(Exception):
    """The engine (or the chosen Lua runtime) cannot be used on this machine."""


class HandlerError(Exception):
    """A handler call failed. ``str()`` is the one-line reason; ``traceback`` is Lua's traceback;
    ``status`` is what the client is answered."""

    status = 500

    def __init__(self, handler: str, reason: str, traceback: str = "") -> None:
        super().__init__(f"handler '{handler}' failed: {reason}")
        self.handler = handler
        self.reason = reason
        self.traceback = traceback


class LimitExceeded(HandlerError):
    """The handler was stopped at ``lua.timeout`` (503) or ``lua.max-memory`` (500) while at
    ``where`` (chunk:line). Its state is discarded: the stop may have left it anywhere."""

    def __init__(self, handler: str, kind: str, where: str, limit: str, traceback: str = "") -> None:
        what = "lua.timeout" if kind == "timeout" else "lua.max-memory"
        super().__init__(handler, f"stopped at {what} ({limit}) at {where}", traceback)
        self.kind = kind
        self.where = where
        self.status = 503 if kind == "timeout" else 500


class IncompleteInput(Exception):
    """An input of ``petrel repl`` that does not compile yet because it is unfinished."""


def syntax_failure(message: str) -> Exception:
    """What a syntax error of a repl input is: unfinished (the error is at its end) or an error."""
    if message.rstrip().rstrip("'").endswith("<eof>"):
        return IncompleteInput(message)
    return HandlerError("stdin", message)


def limit_text(config: Any, kind: str) -> str:
    """The configured limit, as the log shows it."""
    if kind == "timeout":
        return f"{config.lua_timeout} ms"
    return f"{config.lua_max_memory} MiB"


SANDBOX_PATH = os.path.join(os.path.dirname(__file__), "sandbox.lua")
PATTERNS_PATH = os.path.join(os.path.dirname(__file__), "patterns.lua")


def read_sandbox() -> bytes:
    """The sandbox policy every engine runs in each new state (sandbox.lua)."""
    with open(SANDBOX_PATH, "rb") as handle:
        return handle.read()


def read_patterns() -> bytes:
    """The Lua pattern matcher in Lua (patterns.lua), for an engine whose string library matches in C
    with no check-ins: the sandbox sends it the calls whose worst case would hold the event loop."""
    with open(PATTERNS_PATH, "rb") as handle:
        return handle.read()


def find_sources(root: str) -> list[SourceFile]:
    """Every ``*.lua`` under ``root`` at any depth, in a stable order (sorted relative paths)."""
    found: list[SourceFile] = []
    root = os.path.abspath(root)
    for directory, subdirs, files in os.walk(root, followlinks=True):
        subdirs.sort()
        for filename in sorted(files):
            if not filename.endswith(".lua"):
                continue
            path = os.path.join(directory, filename)
            with open(path, "rb") as handle:
                text = handle.read()
            found.append(SourceFile(os.path.relpath(path, root).replace(os.sep, "/"), path, text))
    found.sort(key=lambda source: source.name)
    return found


def resolve_module(root: str, name: str) -> str | None:
    """The file ``require(name)`` loads: ``a.b`` is ``<root>/a/b.lua`` or ``<root>/a/b/init.lua``.

    Only plain module names are accepted and the result must stay inside ``root`` (symlinks
    included), so ``require`` cannot read anything outside the service.
    """
    if not name or any(not (part.replace("_", "a").replace("-", "a").isalnum()) for part in name.split(".")):
        return None
    real_root = os.path.realpath(root)
    relative = name.replace(".", "/")
    for candidate in (relative + ".lua", relative + "/init.lua"):
        path = os.path.realpath(os.path.join(real_root, candidate))
        if os.path.commonpath([path, real_root]) == real_root and os.path.isfile(path):
            return path
    return None


# The request table's scalar fields, in the order request_values gives them and the sandbox's
# start_handler names them.
REQUEST_SCALARS = ("path", "method", "proto", "host", "timestamp", "content", "remote_addr_str",
                   "remote_addr_ip_ver", "remote_port", "query", "http_version", "id")


def request_values(request: Request) -> list[Any]:
    """The Lua ``request`` table as plain values (strings as bytes), for the sandbox's
    start_handler to build inside Lua: the header, cookie and argument counts, the fields of
    REQUEST_SCALARS, then the headers, cookies and query arguments as name, value, name, value...
    (one conversion of plain values per field; no Python dict or table crosses over)."""
    values: list[Any] = [0, 0, 0,
                         request.path.encode("latin-1"), request.method.encode("latin-1"),
                         request.proto.encode("latin-1"), request.host.encode("latin-1"),
                         request.timestamp, request.content, request.remote_addr.encode("latin-1"),
                         request.remote_addr_ip_ver, request.remote_port, request.query.encode("latin-1"),
                         request.http_version.encode("latin-1"), request.id.encode("latin-1")]
    headers = request.headers_dict()
    for name, value in headers.items():
        values.append(name.encode("latin-1"))
        values.append(value.encode("latin-1"))
    values[0] = len(headers)
    if "cookie" in headers:
        cookies = request.cookies()
        for name, value in cookies.items():
            values.append(name.encode("latin-1"))
            values.append(value.encode("latin-1"))
        values[1] = len(cookies)
    if request.query:
        args = request_args(request)
        for key, value in args.items():
            values.append(key.encode("latin-1"))
            values.append(value.encode("latin-1"))
        values[2] = len(args)
    return values


def request_args(request: Request) -> dict[str, str]:
    """request.args: the query's arguments, the first of a repeated one (Latin-1 text)."""
    args: dict[str, str] = {}
    for key, value in parse_qsl(request.query, keep_blank_values=True, encoding="latin-1"):
        if key not in args:
            args[key] = value
    return args


def response_from_fields(handler: str, status: Any, content: Any, headers: Any,
                         type_name: Callable[[Any], str] | None = None) -> Response:
    """Check what a handler returned and make the Response; a wrong type is a HandlerError.

    ``headers`` is a list of (name, value) pairs (a name once for each item of a list value) or a
    dict (the engine converts the Lua table), or any other value to report; ``type_name`` names an
    engine's own values (Lua tables, functions) in the messages.
    """
    _type_name = type_name or _default_type_name
    if status is None:
        status = 200
    if isinstance(status, bool) or not isinstance(status, (int, float)):
        raise HandlerError(handler, f"response.status must be a number, got {_type_name(status)}")
    if isinstance(status, float):
        if not status.is_integer():
            raise HandlerError(handler, f"response.status must be an integer, got {status}")
        status = int(status)
    if not 200 <= status <= 599:
        raise HandlerError(handler, f"response.status {status} is not a final HTTP status code")
    if content is None:
        content = b""
    elif isinstance(content, (int, float)) and not isinstance(content, bool):
        content = _number_bytes(content)
    elif not isinstance(content, bytes):
        raise HandlerError(handler, f"response.content must be a string, got {_type_name(content)}")
    header_list: list[tuple[str, str]] = []
    if headers is not None:
        if not isinstance(headers, (dict, list)):
            raise HandlerError(handler, f"response.headers must be a table, got {_type_name(headers)}")
        for key, value in headers.items() if isinstance(headers, dict) else headers:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = _number_bytes(value)
            if not isinstance(key, bytes) or not isinstance(value, bytes):
                raise HandlerError(handler, "response.headers must map strings to strings "
                                            f"(got {_type_name(key)} -> {_type_name(value)})")
            name = key.decode("latin-1")
            text = value.decode("latin-1")
            if not _valid_header(name, text):
                raise HandlerError(handler, f"response header {name!r} has an invalid name or value")
            header_list.append((name, text))
    return Response(status=status, headers=header_list, body=content)


def response_from_flat(handler: str, status: Any, content: Any, flat: tuple, start: int,
                       type_name: Callable[[Any], str] | None = None) -> Response:
    """:func:`response_from_fields` for headers given flat, as ``flat[start:]`` = name, value,
    name, value... (the sandbox's read_response): the common case (an integer status, a string
    body, string fields) checked in one pass, anything else by response_from_fields."""
    if type(status) is int and 200 <= status <= 599 and type(content) is bytes:
        header_list: list[tuple[str, str]] = []
        for i in range(start, len(flat) - 1, 2):
            key, value = flat[i], flat[i + 1]
            if type(key) is not bytes or type(value) is not bytes:
                break
            name, text = key.decode("latin-1"), value.decode("latin-1")
            if not _valid_header(name, text):
                break
            header_list.append((name, text))
        else:
            return Response(status, header_list, content)
    return response_from_fields(handler, status, content, list(zip(flat[start::2], flat[start + 1::2])),
                                type_name)


def header_list_error(handler: str, name: Any, index: Any = None, kind: Any = None) -> HandlerError:
    """A list value of response.headers that is not a list of strings, or (``name`` a number) more
    header fields than the sandbox's read_response passes on."""
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        return HandlerError(handler, f"response.headers has more than {int(name)} header fields")
    label = name.decode("latin-1") if isinstance(name, bytes) else str(name)
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    if index is None:
        return HandlerError(handler, f"response.headers[{label!r}] must be a string or a list of "
                                     "strings (the table has keys other than 1..n)")
    return HandlerError(handler, f"response.headers[{label!r}][{index}] must be a string, got {kind}")


def _valid_header(name: str, value: str) -> bool:
    # A name: no separator, space or unprintable character (one regex for the Latin-1 range).
    if not name or _BAD_NAME.search(name) or (not name.isascii() and not name.isprintable()):
        return False
    # RFC 9110 field values: visible characters, space, tab and obs-text; no other control byte.
    return not _BAD_VALUE.search(value)


_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BAD_NAME = re.compile(r'[\x00-\x20"(),/:;<=>?@\[\\\]{}\x7f-\xa0\xad]')


def _number_bytes(value: int | float) -> bytes:
    if isinstance(value, int) or value.is_integer() and abs(value) < 2**53:
        return str(int(value)).encode()
    return ("%.14g" % value).encode()


def _default_type_name(value: Any) -> str:
    from ..libs import lua_type_name
    return lua_type_name(value)


class Engine(abc.ABC):
    """One Lua implementation behind petrel. Subclasses register themselves by ``name``."""

    name: ClassVar[str]

    def __init__(self, config: Any, libraries: LibraryRegistry) -> None:
        self.config = config
        self.libraries = libraries

    @property
    def description(self) -> str:
        """What runs the Lua code, for the start-up log ("lupa 2.8, LuaJIT 2.1")."""
        return self.name

    @abc.abstractmethod
    def new_state(self, sources: list[SourceFile]) -> Any:
        """A fresh state with the restricted environment, the libraries and every source loaded.

        Raises ServiceLoadError naming the file and line when a file does not load.
        """

    @abc.abstractmethod
    async def bootstrap(self, state: Any) -> None:
        """Call the service's ``bootstrap()``; ServiceLoadError if it is missing or fails."""

    @abc.abstractmethod
    async def handle(self, state: Any, handler: str, request: Request) -> Response:
        """Call the global function ``handler(request, response)`` and return its response.

        Raises HandlerError for every failure of the handler (a Lua error, a missing function,
        a wrong return value); the state may then be reset and reused.
        """

    @abc.abstractmethod
    async def evaluate(self, state: Any, text: str) -> list[str]:
        """Run one input of ``petrel repl`` as the ``lua`` command does (an expression's values are
        returned), outside any request: its globals stay. Returns tostring of each result.

        Raises IncompleteInput when ``text`` is the start of a longer chunk, HandlerError for a
        syntax or run-time error (chunk name "stdin").
        """

    @abc.abstractmethod
    def reset(self, state: Any) -> bool:
        """Make ``state`` clean for the next request; False when it must be discarded instead."""

    def close_state(self, state: Any) -> None:
        """Free a state that will not be used again."""

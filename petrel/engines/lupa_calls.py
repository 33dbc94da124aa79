"""The Python end of a library call from Lua on the lupa engine, made once for each export.

lupa calls a Python function from Lua in about a tenth of a microsecond; what it then ran, in
layers of general code (convert every argument in a loop, a bound lambda, a result check), cost
several times that, on every call a handler makes. So for each synchronous export one function is
written out and compiled, the way :mod:`dataclasses` writes ``__init__``: its parameters are the
Lua arguments, the common case of each (a string for a string parameter, an integer for an
integer) is tested in line, and anything else (nil, a table, a number for a string, a wrong type)
goes through :meth:`Export.convert_one`, which gives the conversions and the Lua-style messages
of every other path. Results: ``(True, values...)``, ``(False, message)`` or, for one library
object, ``(class, object)`` (see the sandbox's ``check``).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from ..libs import Export, LuaRuntimeError

PLAIN = frozenset((bytes, int, float, bool, type(None)))   # the same value in Lua and Python
OK = (True,)


def bad_self(name: str) -> tuple:
    """The result of a method called on something that is not its object."""
    return (False, f"calling '{name}' on bad self".encode())


def internal_error(name: str) -> tuple:
    """The result of a library function that failed in Python (the log has the traceback)."""
    return (False, f"{name}: internal error (the server log has the details)".encode())

# parameter kind -> the line that takes the common case as it is, else the full check
_IN_LINE = {
    bytes: "    if type({a}) is not bytes: {a} = slow({i}, {a})",
    int: "    if type({a}) is not int: {a} = slow({i}, {a})",
    float: "    if type({a}) is not float: {a} = slow({i}, {a})",
    str: ("    if type({a}) is bytes: {a} = {a}.decode('utf-8', 'surrogateescape')\n"
          "    else: {a} = slow({i}, {a})"),
    None: "    if {a} is None or type({a}) not in PLAIN: {a} = slow({i}, {a})",
}


class CallMaker:
    """Writes and compiles the call function of each export once; :meth:`sync_call` then makes it
    for one state (a closure over that state's converters) without compiling again."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._makers: dict[tuple[int, type | None], tuple[Export, Callable]] = {}

    def sync_call(self, export: Export, ctx: Any, owner: type | None, to_python: Callable[[Any], Any],
                  results: Callable[[Any], tuple]) -> Callable[..., tuple]:
        """The function Lua calls for ``export`` (a method of ``owner``'s objects when ``owner``
        is given: the object comes first). ``to_python`` converts a Lua value that is not plain,
        ``results`` what the function returned when that is not one plain value."""
        key = (id(export), owner)
        entry = self._makers.get(key)
        if entry is None or entry[0] is not export:
            entry = self._makers[key] = (export, _compile(export, owner))
        name = export.name

        def slow(index: int, value: Any) -> Any:
            return export.convert_one(index, value if type(value) in PLAIN else to_python(value))

        return entry[1](owner, export.func, ctx, slow, to_python, results, self.log, name,
                        bad_self(name), internal_error(name))


def _compile(export: Export, owner: type | None) -> Callable:
    params = [f"a{i}" for i in range(len(export.params))]
    signature = (["target=None"] if owner is not None else []) + [f"{p}=None" for p in params] + ["*rest"]
    body = []
    for i, kind in enumerate(export.param_kinds()):
        body.append(_IN_LINE.get(kind, "    {a} = slow({i}, {a})").format(a=params[i], i=i))
    if export.varargs:
        body.append("    rest = tuple(v if type(v) in PLAIN else to_python(v) for v in rest)")
    arguments = ((["target"] if owner is not None else []) + (["ctx"] if export.wants_ctx else [])
                 + params + (["*rest"] if export.varargs else []))
    lines = ["def make(owner, func, ctx, slow, to_python, results, log, name, bad_self, internal):",
             f"  def call({', '.join(signature)}):"]
    if owner is not None:
        lines.append("    if not isinstance(target, owner): return bad_self")
    lines += ["    try:"]
    lines += ["    " + line for line in "\n".join(body).split("\n") if line]
    lines += [
        f"        value = func({', '.join(arguments)})",
        "        if value is None: return OK",
        "        kind = type(value)",
        "        if kind is bytes or kind is float or kind is bool: return (True, value)",
        "        if kind is int and -9223372036854775808 <= value <= 9223372036854775807: return (True, value)",
        "        return results(value)",
        "    except LuaRuntimeError as exc:",
        "        return (False, str(exc).encode('utf-8', 'surrogateescape'))",
        "    except Exception:",
        "        log.error(\"library function '%s' failed\", name, exc_info=True)",
        "        return internal",
        "  return call",
    ]
    namespace = {"PLAIN": PLAIN, "OK": OK, "LuaRuntimeError": LuaRuntimeError}
    exec(compile("\n".join(lines), f"<petrel call {export.qualname}>", "exec"), namespace)
    return namespace["make"]

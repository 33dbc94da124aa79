"""``print`` into the server log, with the syslog levels LOG_EMERG (0) ... LOG_DEBUG (7).

``print(LOG_WARNING, "x", t)`` logs at warning; ``print("x")`` logs at info. Tables are printed
readably, nested tables included (cycles shown as ``<cycle>``).
"""

from __future__ import annotations

import logging

from .base import Library, LibraryContext, _number_text

library = Library("log", "print into the server log", as_table=False)

LEVELS = ("EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG")
# syslog level -> Python logging level
PY_LEVEL = {0: logging.CRITICAL, 1: logging.CRITICAL, 2: logging.CRITICAL, 3: logging.ERROR,
            4: logging.WARNING, 5: logging.INFO, 6: logging.INFO, 7: logging.DEBUG}
for number, level_name in enumerate(LEVELS):
    library.constant(f"LOG_{level_name}", number)


def format_value(value, depth: int = 0, seen: set | None = None) -> str:
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        seen = seen or set()
        if id(value) in seen or depth > 16:
            return "<cycle>"
        seen = seen | {id(value)}
        parts = []
        array_len = 0
        while array_len + 1 in value:
            array_len += 1
        for index in range(1, array_len + 1):
            parts.append(_format_item(value[index], depth, seen))
        rest = [(k, v) for k, v in value.items()
                if not (isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= array_len)]
        rest.sort(key=lambda kv: (str(type(kv[0])), str(kv[0])))
        for key, item in rest:
            if isinstance(key, bytes) and key.isascii() and key.decode().isidentifier():
                key_text = key.decode()
            else:
                key_text = "[" + _format_item(key, depth, seen) + "]"
            parts.append(f"{key_text}={_format_item(item, depth, seen)}")
        return "{" + ", ".join(parts) + "}"
    return f"<{type(value).__name__}>"


def _format_item(value, depth: int, seen: set) -> str:
    if isinstance(value, bytes):
        return '"' + value.decode("utf-8", "replace").replace('"', '\\"') + '"'
    return format_value(value, depth + 1, seen)


@library.global_function(name="print")
def lua_print(ctx: LibraryContext, *args) -> None:
    level = 6
    if len(args) > 1 and isinstance(args[0], int) and not isinstance(args[0], bool) \
            and 0 <= args[0] <= 7:
        level, args = args[0], args[1:]
    if ctx.logger.isEnabledFor(PY_LEVEL[level]):
        ctx.logger.log(PY_LEVEL[level], "\t".join(format_value(a) for a in args),
                       extra={"syslog_level": level})

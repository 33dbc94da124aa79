"""Logging set-up: ``time | component | level | message`` on the console, or the local syslog.

Levels are syslog's (0 emerg ... 7 debug) as in the original; ``log.level`` drops everything above it.
Components are logger names under ``petrel.`` (``petrel.server``, ``petrel.lua``, ``petrel.access``).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time

SYSLOG_NAMES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_FROM_PY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


def syslog_level(record: logging.LogRecord) -> int:
    level = getattr(record, "syslog_level", None)
    if level is None:
        level = _FROM_PY.get(record.levelno, 6)
        record.syslog_level = level
    return level


class _LevelFilter(logging.Filter):
    def __init__(self, max_level: int) -> None:
        super().__init__()
        self.max_level = max_level

    def filter(self, record: logging.LogRecord) -> bool:
        return syslog_level(record) <= self.max_level


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created))
        stamp += f".{int(record.msecs):03d}"
        component = record.name.removeprefix("petrel.") or "petrel"
        level = SYSLOG_NAMES[syslog_level(record)]
        text = f"{stamp} | {component} | {level} | {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class SyslogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        component = record.name.removeprefix("petrel.") or "petrel"
        return f"petrel[{os.getpid()}]: {component} | {record.getMessage()}"


class _SyslogHandler(logging.handlers.SysLogHandler):
    def mapPriority(self, levelName: str) -> str:  # noqa: N802 - stdlib name
        return "debug"

    def emit(self, record: logging.LogRecord) -> None:
        # Use the record's own syslog level rather than the coarse Python level.
        self.mapPriority = lambda _name: SYSLOG_NAMES[syslog_level(record)]  # type: ignore[method-assign]
        super().emit(record)


def setup_logging(level: int, use_syslog: bool) -> logging.Logger:
    root = logging.getLogger("petrel")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if use_syslog:
        address = "/dev/log" if os.path.exists("/dev/log") else ("localhost", 514)
        handler: logging.Handler = _SyslogHandler(address=address)
        handler.setFormatter(SyslogFormatter())
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(ConsoleFormatter())
    handler.addFilter(_LevelFilter(level))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if level >= 7 else logging.INFO if level >= 5 else
                  logging.WARNING if level == 4 else logging.ERROR if level == 3 else logging.CRITICAL)
    root.propagate = False
    return root

"""Logging set-up: ``time | worker | component | level | message`` on the console, or the local syslog.

Every line names its process right after the time: ``time | w2 | component | level | message``
for worker 2, ``time | master | ...`` for the process that supervises workers, ``w1`` for a server
that runs as one process (syslog: ``petrel[pid]: w2 | component | message``).

``log.format = json`` writes one JSON object a line instead (for log shippers):
``{"time": "2026-01-02T10:00:00.123+00:00", "worker": "w1", "component": "server", "level":
"info", "message": "..."}``; an access line adds its fields (``remote``, ``method``, ``path``,
``query``, ``http_version``, ``status``, ``bytes``, ``duration_ms``, ``request_id``,
``user_agent``), and every other line logged while a request is served (the handler's ``print``,
its errors) has that request's ``request_id`` (:data:`REQUEST_ID`, set by the server).

Levels are syslog's (0 emerg ... 7 debug) as in the original; ``log.level`` drops everything above it.
Components are logger names under ``petrel.`` (``petrel.server``, ``petrel.lua``, ``petrel.access``).

Syslog records are written by a thread of their own: a syslog that reads slowly (a unix datagram
socket holds only a few messages) must not stall the event loop, so when that thread falls
``SYSLOG_QUEUE_SIZE`` records behind, new records are dropped instead of waited for.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import logging.handlers
import os
import queue
import sys
import threading
import time

SYSLOG_NAMES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_FROM_PY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


def syslog_level(record: logging.LogRecord) -> int:
    level = getattr(record, "syslog_level", None)
    if level is None:
        level = _FROM_PY.get(record.levelno, 6)
        record.syslog_level = level
    return level


# The id of the request the current task is serving ("" outside requests); a worker thread that
# runs a request's Lua sees it too (anyio.to_thread copies the context).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("petrel_request_id", default="")


class _RequestIdFilter(logging.Filter):
    """Stamps a record with REQUEST_ID in the thread that logs it (a syslog thread formats later)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class _LevelFilter(logging.Filter):
    def __init__(self, max_level: int) -> None:
        super().__init__()
        self.max_level = max_level

    def filter(self, record: logging.LogRecord) -> bool:
        return syslog_level(record) <= self.max_level


class ConsoleFormatter(logging.Formatter):
    def __init__(self, process: str = "") -> None:
        super().__init__()
        self.prefix = f"{process} | " if process else ""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created))
        stamp += f".{int(record.msecs):03d}"
        component = record.name.removeprefix("petrel.") or "petrel"
        level = SYSLOG_NAMES[syslog_level(record)]
        text = f"{stamp} | {self.prefix}{component} | {level} | {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JSONFormatter(logging.Formatter):
    """One JSON object a line; the fields of an access line (``record.access``) are added to it."""

    def __init__(self, process: str = "") -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
        entry: dict = {
            "time": stamp.isoformat(timespec="milliseconds"),
            "worker": self.process,
            "component": record.name.removeprefix("petrel.") or "petrel",
            "level": SYSLOG_NAMES[syslog_level(record)],
            "message": record.getMessage(),
        }
        fields = getattr(record, "access", None)
        if isinstance(fields, dict):
            entry.update(fields)
        elif getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class SyslogFormatter(logging.Formatter):
    def __init__(self, process: str = "") -> None:
        super().__init__()
        self.prefix = f"{process} | " if process else ""

    def format(self, record: logging.LogRecord) -> str:
        component = record.name.removeprefix("petrel.") or "petrel"
        return f"petrel[{os.getpid()}]: {self.prefix}{component} | {record.getMessage()}"


class _SyslogHandler(logging.handlers.SysLogHandler):
    def mapPriority(self, levelName: str) -> str:  # noqa: N802 - stdlib name
        return "debug"

    # Like openlog(), the stdlib handler tolerates a syslog that is not listening (yet) and tries
    # again with every record; say so once on stderr rather than a traceback per record.
    failing = False
    _failed = False

    def emit(self, record: logging.LogRecord) -> None:
        # Use the record's own syslog level rather than the coarse Python level.
        self.mapPriority = lambda _name: SYSLOG_NAMES[syslog_level(record)]  # type: ignore[method-assign]
        self._failed = False
        super().emit(record)
        if self.failing and not self._failed:
            self.failing = False
            sys.stderr.write(f"petrel: logging to syslog at {self.address} again\n")

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - stdlib name
        self._failed = True
        if not self.failing:
            self.failing = True
            error = sys.exc_info()[1]
            reason = getattr(error, "strerror", None) or error
            sys.stderr.write(f"petrel: cannot log to syslog at {self.address}: {reason}; "
                             "records are dropped until it accepts them\n")


SYSLOG_QUEUE_SIZE = 10000


class _SyslogQueueHandler(logging.handlers.QueueHandler):
    """Hands records to the syslog thread; never blocks the caller."""

    def __init__(self, target: logging.Handler) -> None:
        super().__init__(queue.Queue(SYSLOG_QUEUE_SIZE))
        self.target = target
        self.dropped = 0
        self._thread = threading.Thread(target=self._forward, name="petrel-syslog", daemon=True)
        self._thread.start()

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def _forward(self) -> None:
        while True:
            record = self.queue.get()
            if record is None:
                return
            self.target.handle(record)

    def close(self) -> None:
        # logging.shutdown() calls this at exit: let the thread send what is queued, briefly.
        try:
            self.queue.put_nowait(None)
        except queue.Full:
            pass
        if self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self.target.close()
        super().close()


def syslog_address(option: str = "") -> str | tuple[str, int]:
    """``log.syslog-address``: a unix socket path, or host:port for UDP; empty = the local syslog."""
    if not option:
        return "/dev/log" if os.path.exists("/dev/log") else ("localhost", 514)
    host, sep, port = option.rpartition(":")
    if sep and port.isdigit() and not option.startswith("/"):
        return (host.strip("[]") or "localhost", int(port))
    return option


def setup_logging(level: int, use_syslog: bool, address: str = "", process: str = "w1",
                  fmt: str = "text") -> logging.Logger:
    """Log to the console or syslog; ``process`` ("w1", "master") names this process in every line;
    ``fmt`` is log.format (text or json, for the console)."""
    root = logging.getLogger("petrel")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    problem = None
    if use_syslog:
        try:
            target = _SyslogHandler(address=syslog_address(address))
            target.setFormatter(SyslogFormatter(process))
            handler: logging.Handler = _SyslogQueueHandler(target)
        except OSError as exc:   # no syslog listening there: keep logging, on the console
            problem = f"cannot log to syslog at {address or '/dev/log'}: {exc.strerror or exc}"
            use_syslog = False
    if not use_syslog:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JSONFormatter(process) if fmt == "json" else ConsoleFormatter(process))
    handler.addFilter(_LevelFilter(level))
    handler.addFilter(_RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if level >= 7 else logging.INFO if level >= 5 else
                  logging.WARNING if level == 4 else logging.ERROR if level == 3 else logging.CRITICAL)
    root.propagate = False
    if problem:
        root.getChild("server").error("%s; logging to the console", problem)
    return root

"""``metrics.graphite=1``: the registry in Graphite's plaintext protocol over TCP.

Every ``metrics.graphite.interval`` seconds one batch of lines ``<path> <value> <timestamp>`` goes to
``metrics.graphite.host``:``metrics.graphite.port``. Paths are ``prefix.hostname.metric[.field]``
(see :mod:`petrel.metrics.report` for the fields); the hostname's dots become underscores so that it
stays one path component.

The reporter is a task of its own: it never holds up a request. Sends are bounded by a timeout; when
the receiver goes away the connection is dropped (a watcher notices the peer closing at once) and
the next batch opens a new one. Batches due while the receiver is unreachable are dropped, as
Graphite tolerates gaps better than a server that buffers without bound.

With several workers the values are the whole server's (:mod:`.shared`) and one worker sends them:
the one holding the report lock in the run directory (another takes over if it dies).
"""

from __future__ import annotations

import logging
import re
import socket
import time
from typing import Any, Callable

import anyio

from .registry import MetricsRegistry
from .report import format_value, samples

log = logging.getLogger("petrel.metrics")

SEND_TIMEOUT_SECONDS = 5.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:\-]")


def graphite_hostname(name: str | None = None) -> str:
    return _UNSAFE.sub("_", (name or socket.gethostname()).replace(".", "_")) or "unknown"


class GraphiteReporter:
    def __init__(self, registry: MetricsRegistry, host: str, port: int, interval: float,
                 prefix: str = "petrel", hostname: str | None = None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self.interval = interval
        self.base = ".".join(part for part in (_UNSAFE.sub("_", prefix).strip("."),
                                                graphite_hostname(hostname)) if part)
        self._wall_clock = wall_clock
        self._stream: Any = None
        self._task_group: Any = None
        self._failing = False
        self.batches_sent = 0

    def lines(self, timestamp: int) -> bytes:
        """One batch: every sample of the registry stamped with ``timestamp`` (seconds)."""
        out = []
        for sample in samples(self.registry):
            path = f"{self.base}.{_UNSAFE.sub('_', sample.metric)}"
            if sample.field is not None:
                path += "." + sample.field
            out.append(f"{path} {format_value(sample.value)} {timestamp}\n")
        return "".join(out).encode()

    async def run(self) -> None:
        """Report every ``interval`` seconds until cancelled."""
        async with anyio.create_task_group() as tg:
            self._task_group = tg
            try:
                next_due = anyio.current_time() + self.interval
                while True:
                    await anyio.sleep(max(0.0, next_due - anyio.current_time()))
                    next_due += self.interval
                    await self.report_once()
            finally:
                await self._drop()

    async def report_once(self) -> bool:
        """Send one batch; False (and the connection dropped) when it could not be sent.

        With several workers only the one holding the report turn sends (the registry reads the
        whole server), so no worker's values overwrite another's under the same names."""
        if not self.registry.holds_report_turn():
            return True
        data = self.lines(int(self._wall_clock()))
        if not data:
            return True
        timeout = min(self.interval, SEND_TIMEOUT_SECONDS)
        try:
            with anyio.fail_after(timeout):
                if self._stream is None:
                    await self._connect()
                await self._stream.send(data)
        except (TimeoutError, OSError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            reason = "timeout" if isinstance(exc, TimeoutError) else (
                getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
            if not self._failing:
                log.warning("graphite: cannot send to %s:%d: %s (trying again every %g s)",
                            self.host, self.port, reason, self.interval)
            self._failing = True
            await self._drop()
            return False
        if self._failing:
            log.info("graphite: sending to %s:%d again", self.host, self.port)
            self._failing = False
        self.batches_sent += 1
        return True

    async def _connect(self) -> None:
        stream = await anyio.connect_tcp(self.host, self.port)
        self._stream = stream
        log.debug("graphite: connected to %s:%d", self.host, self.port)
        if self._task_group is not None:
            self._task_group.start_soon(self._watch, stream)

    async def _watch(self, stream: Any) -> None:
        """Receivers send nothing: the end of the stream means the receiver went away."""
        try:
            while await stream.receive():
                pass
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass
        if self._stream is stream:
            log.debug("graphite: %s:%d closed the connection", self.host, self.port)
            await self._drop()

    async def _drop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with anyio.CancelScope(shield=True):
                await stream.aclose()

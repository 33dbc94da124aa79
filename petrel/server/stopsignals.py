"""SIGTERM and SIGINT for a server process, read by a thread of their own.

Why a thread: the event loop learns of a signal only when it gets to run, so a handler that keeps
the loop busy (Lua that does not yield) would hold off the stop, and a second signal, for as long
as it runs. A thread blocked in ``sigtimedwait()`` sees every signal at once, because the signals
are blocked in every other thread: :func:`block_stop_signals` is called before any thread is
started, and threads inherit the mask. (lupa releases the GIL while Lua runs, so this thread gets
to run during a busy handler.)

The first signal is handed to the loop through a socket pair (the loop awaits it like any socket)
and starts a hard deadline: shutdown-timeout plus :data:`HARD_EXIT_MARGIN`. The loop normally
stops long before it; if the process is still there then, the loop cannot stop it, and the thread
ends the process itself. A second signal ends the process at once, exit status 128 + the signal
number, unless repeats are left to a master process (a worker: the master escalates with SIGKILL).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time

import anyio

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
HARD_EXIT_MARGIN = 3.0   # seconds after shutdown-timeout before the process is ended from outside the loop

log = logging.getLogger("petrel.server")


def block_stop_signals() -> None:
    """Block SIGINT and SIGTERM in the calling thread and in the threads it starts from now on."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def _exit(status: int) -> None:
    logging.shutdown()   # write out what is queued (the syslog thread) before the process ends
    os._exit(status)


class StopSignals:
    """Waits for SIGINT/SIGTERM in a thread; :meth:`wait` gives the loop the first one."""

    def __init__(self, shutdown_timeout: float, repeat_exits: bool = True) -> None:
        self.shutdown_timeout = shutdown_timeout
        self.repeat_exits = repeat_exits
        self.first: int | None = None
        self.stopped = False   # the loop has logged "stopped": the hard exit need not say it again
        self._deadline: float | None = None
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def start(self) -> None:
        block_stop_signals()   # (the caller should have done this before starting any thread)
        threading.Thread(target=self._run, name="petrel-signals", daemon=True).start()

    async def wait(self) -> int:
        """The number of the first stop signal, once it comes."""
        while True:
            await anyio.wait_readable(self._reader)
            try:
                data = self._reader.recv(1)
            except BlockingIOError:
                continue
            return data[0]

    # -- the thread --------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            if self._deadline is None:
                signum = signal.sigwait(STOP_SIGNALS)
            else:
                info = signal.sigtimedwait(STOP_SIGNALS, max(0.0, self._deadline - time.monotonic()))
                if info is None:
                    self._hard_exit()
                    return
                signum = info.si_signo
            self._received(signum)

    def _received(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.first is None:
            self.first = signum
            self._deadline = time.monotonic() + self.shutdown_timeout + HARD_EXIT_MARGIN
            self._writer.send(bytes([signum]))
        elif self.repeat_exits:
            status = 128 + signum
            log.warning("%s received again: exiting at once (exit status %d)", name, status)
            _exit(status)
        else:
            log.debug("%s received again: the master process stops this worker if it must", name)

    def _hard_exit(self) -> None:
        assert self.first is not None
        log.error("still running %.0f s after %s: the event loop is kept busy (a handler that does "
                  "not yield?) and cannot stop; exiting without cleanup",
                  self.shutdown_timeout + HARD_EXIT_MARGIN, signal.Signals(self.first).name)
        if not self.stopped:
            log.info("stopped")
        _exit(0)

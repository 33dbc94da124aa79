"""The lark engine's handler threads: a call in a worker thread for the cost of two wake-ups.

A lark handler runs in a thread of its own (compiled Lua is plain Python, which cannot be
suspended in the middle of a call). ``anyio.to_thread.run_sync`` took about 60 us of CPU per call
(a capacity limiter, a shielded cancel scope, its worker's queue and reporting), more than the
getting-started handler itself. Here a call hands the function to an idle thread's queue and
awaits a plain future that the thread completes through ``call_soon_threadsafe``; the thread runs
it in a copy of the caller's context (the request id of the log lines). A cancelled call
returns at once and leaves the thread to finish on its own (what anyio calls
``abandon_on_cancel``): the engine then stops the Lua code at its next check-in. Threads wait
``IDLE_SECONDS`` for more work before they end.

On an event loop that is not asyncio's (or uvloop's), anyio's thread pool is used as before.
Async library calls from the thread reach the loop with ``anyio.from_thread.run`` and the token
:func:`loop_token` gives.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from typing import Any, Callable

import anyio
import anyio.lowlevel
import anyio.to_thread

IDLE_SECONDS = 10.0

_local = threading.local()


def loop_token() -> Any:
    """The event loop token of the call running in this thread (None outside one)."""
    return getattr(_local, "token", None)


class HandlerThreads:
    """Up to ``most`` threads running calls at once; more calls wait for one to be free."""

    def __init__(self, most: int) -> None:
        self._most = most
        # No lock on the path of a call: a thread that held one when the GIL was taken from it
        # would make the loop wait for its next turn (up to a switch interval per thread in line,
        # a p99 of 110 ms at 32 connections). list.append, pop and remove are atomic.
        self._idle: list[_Worker] = []
        self._started = 0                # (the loop's thread only)
        self._ended = 0                  # (under _retire_lock)
        self._retire_lock = threading.Lock()
        self._freed: asyncio.Event | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, func: Callable[..., Any], *args: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return await self._run_anyio(func, *args)
        token = anyio.lowlevel.current_token()
        while True:
            try:
                worker = self._idle.pop()
                break
            except IndexError:
                pass
            if self._started - self._ended < self._most:
                self._started += 1
                worker = _Worker(self)
                worker.start()
                break
            self._freed = self._freed or asyncio.Event()
            await self._freed.wait()
        future = loop.create_future()
        worker.jobs.put((loop, future, token, contextvars.copy_context(), func, args))
        return await future

    async def _run_anyio(self, func: Callable[..., Any], *args: Any) -> Any:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._most)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter, abandon_on_cancel=True)

    # -- called by the workers ----------------------------------------------------------------
    def _ready(self, worker: "_Worker", loop: asyncio.AbstractEventLoop) -> None:
        self._idle.append(worker)
        if self._freed is not None:
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._freed is not None:
            self._freed.set()
            self._freed = None

    def _retire(self, worker: "_Worker") -> bool:
        """True when ``worker`` may end: it was idle, and taking it off the list means no call
        can be handed to it any more (a call takes its worker off the list first)."""
        try:
            self._idle.remove(worker)
        except ValueError:
            return False   # taken for a call that is on its way
        with self._retire_lock:
            self._ended += 1
        return True


class _Worker(threading.Thread):
    def __init__(self, pool: HandlerThreads) -> None:
        super().__init__(name="petrel-lark-handler", daemon=True)
        self.pool = pool
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()

    def run(self) -> None:
        while True:
            try:
                job = self.jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                if self.pool._retire(self):
                    return
                continue
            loop, future, token, context, func, args = job
            _local.token = token
            try:
                result, error = context.run(func, *args), None
            except BaseException as exc:   # (delivered to the awaiting task, raised there)
                result, error = None, exc
            _local.token = None
            del job, context, func, args
            self.pool._ready(self, loop)
            try:
                loop.call_soon_threadsafe(_deliver, future, result, error)
            except RuntimeError:
                pass   # the loop is closed: nobody waits any more
            del future, result, error


def _deliver(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)

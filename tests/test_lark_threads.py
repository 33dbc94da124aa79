"""The lark engine's handler threads (petrel.engines.lark_threads), on asyncio and uvloop."""

from __future__ import annotations

import contextvars
import threading
import time

import anyio
import anyio.from_thread
import pytest

from petrel.engines.lark_threads import HandlerThreads, loop_token

BACKENDS = [pytest.param(("asyncio", {}), id="asyncio")]
try:
    import uvloop  # noqa: F401
    BACKENDS.append(pytest.param(("asyncio", {"use_uvloop": True}), id="uvloop"))
except ImportError:
    pass

REQUEST = contextvars.ContextVar("request", default=None)


def run(backend, func):
    name, options = backend
    return anyio.run(func, backend=name, backend_options=options)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def test_results_errors_and_the_callers_context_reach_the_caller(backend):
    threads = HandlerThreads(8)

    def work(n):
        if n < 0:
            raise ValueError("negative")
        return (n * 2, REQUEST.get(), threading.current_thread() is not threading.main_thread())

    async def main():
        REQUEST.set("req-1")
        assert await threads.run(work, 21) == (42, "req-1", True)
        with pytest.raises(ValueError, match="negative"):
            await threads.run(work, -1)

    run(backend, main)


def test_an_idle_thread_is_used_again(backend):
    threads = HandlerThreads(8)

    async def main():
        first = await threads.run(threading.get_ident)
        for _ in range(20):
            assert await threads.run(threading.get_ident) == first

    run(backend, main)


def test_calls_beyond_the_limit_wait_for_a_free_thread(backend):
    threads = HandlerThreads(2)
    running, most = [0], [0]
    lock = threading.Lock()

    def work(i):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return i

    async def main():
        results = []

        async def one(i):
            results.append(await threads.run(work, i))
        with anyio.fail_after(20):
            async with anyio.create_task_group() as tg:
                for i in range(10):
                    tg.start_soon(one, i)
        assert sorted(results) == list(range(10))

    run(backend, main)
    assert most[0] == 2


def test_a_cancelled_call_returns_at_once_and_the_thread_finishes_alone(backend):
    threads = HandlerThreads(4)
    release, finished = threading.Event(), threading.Event()

    def work():
        release.wait(10)
        finished.set()
        return "late"

    async def main():
        started = time.monotonic()
        with anyio.move_on_after(0.05):
            await threads.run(work)
        assert time.monotonic() - started < 5   # not held until the thread ends
        release.set()
        with anyio.fail_after(10):
            while not finished.is_set():
                await anyio.sleep(0.01)
        assert await threads.run(lambda: "next") == "next"   # the pool still works

    run(backend, main)


def test_the_thread_reaches_the_loop_with_its_token(backend):
    threads = HandlerThreads(4)
    seen = []

    async def on_loop(value):
        await anyio.sleep(0)
        seen.append(threading.current_thread() is threading.main_thread())
        return value + 1

    def work():
        assert loop_token() is not None
        return anyio.from_thread.run(on_loop, 1, token=loop_token())

    async def main():
        assert await threads.run(work) == 2

    run(backend, main)
    assert seen == [True]
    assert loop_token() is None   # outside a call

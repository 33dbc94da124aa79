"""Event-loop stall of server.gzip: the longest gap a 1 ms ticker sees while bodies are compressed inline or
in a worker thread (run: .venv/bin/python bench/gzip_stall.py)."""
import time

import anyio

from petrel.server.compress import gzip_bytes

BODY = "".join(f'{{"id": {i}, "name": "item {i}", "tags": ["a", "b"]}},\n' for i in range(40000)).encode()

async def ticker(gaps, stop):
    last = time.perf_counter()
    while not stop.is_set():
        await anyio.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now

async def run(size, threaded, rounds):
    data = BODY[:size]
    gaps, stop = [], anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker, gaps, stop)
        await anyio.sleep(0.01)
        t = time.perf_counter()
        for _ in range(rounds):
            if threaded:
                await anyio.to_thread.run_sync(gzip_bytes, data, 6)
            else:
                gzip_bytes(data, 6)
                await anyio.sleep(0)
        per = (time.perf_counter() - t) / rounds
        stop.set()
    return per, max(gaps)

async def main():
    for size in (4096, 16384, 65536, 262144, 1048576):
        rounds = max(3, 4_000_000 // size)
        inline, inline_gap = await run(size, False, rounds)
        thread, thread_gap = await run(size, True, rounds)
        print(f"{size//1024:5d} KiB  inline {inline*1e3:7.2f} ms/body, longest loop gap {inline_gap*1e3:6.2f} ms | "
              f"thread {thread*1e3:7.2f} ms/body, longest loop gap {thread_gap*1e3:6.2f} ms")

anyio.run(main)

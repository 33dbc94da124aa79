"""What a request costs inside the engine, without the network, and what resetting a state costs.

Runs the getting-started handler through Engine.handle on one state, over and over (CPU time of
the process, best of five rounds), and compares two ways of keeping requests isolated:

  overlay      petrel's way: one fresh globals overlay table per request (the state is reused)
  new state    a brand-new Lua state per request (what isolation would cost without the overlay)

Usage: python bench/engine_overhead.py [--engine lupa|lark] [--runtime luajit|lua54] [-n N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import anyio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from petrel.config import load_config  # noqa: E402
from petrel.engines import find_sources, get_engine  # noqa: E402
from petrel.libs import LibraryContext, LibraryRegistry  # noqa: E402
from petrel.metrics import MetricsRegistry  # noqa: E402
from petrel.messages import Request  # noqa: E402
from petrel.server.router import Router  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "examples", "getting-started", "lua")


def make_request() -> Request:
    return Request(method="GET", path="/json/foo=bar", query="", http_version="1.1", proto="http",
                   host="localhost", headers=[("host", "localhost"), ("accept", "*/*")], content=b"",
                   remote_addr="127.0.0.1", remote_port=5555, timestamp=time.time())


async def measure(engine_name: str, runtime: str, n: int) -> None:
    import logging
    config = load_config(None, [("lua.root", ROOT), ("lua.runtime", runtime)])
    ctx = LibraryContext(config=config, logger=logging.getLogger("bench"), metrics=MetricsRegistry(),
                         router=Router(), lib_search_path=[ROOT])
    engine = get_engine(engine_name)(config, LibraryRegistry(ctx))
    sources = find_sources(ROOT)
    state = engine.new_state(sources)
    request = make_request()

    # Best of five rounds of the process's CPU time (the handler's thread included on lark): on a
    # shared machine wall time swings with whatever else runs.
    overlay = float("inf")
    rounds = 5
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(max(n // rounds, 1)):
            await engine.handle(state, "json_handler", request)
            engine.reset(state)
        overlay = min(overlay, (time.process_time() - started) / max(n // rounds, 1))

    m = max(n // 20, 50)
    started = time.process_time()
    for _ in range(m):
        fresh = engine.new_state(sources)
        await engine.handle(fresh, "json_handler", request)
        engine.close_state(fresh)
    fresh_cost = (time.process_time() - started) / m

    print(f"{engine.description}")
    print(f"  handler call, state reused with a fresh overlay: {overlay * 1e6:8.1f} us/request "
          f"({1 / overlay:,.0f} requests/s on one core)")
    print(f"  handler call on a brand-new state:               {fresh_cost * 1e6:8.1f} us/request "
          f"({fresh_cost / overlay:.0f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="lupa")
    parser.add_argument("--runtime", default="luajit")
    parser.add_argument("-n", type=int, default=20000)
    args = parser.parse_args()
    anyio.run(measure, args.engine, args.runtime, args.n)


if __name__ == "__main__":
    main()

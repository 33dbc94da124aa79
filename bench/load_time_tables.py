"""What putting load-time tables back costs a request, by the size of those tables.

At the end of every request the sandbox compares each table the service's files built at load time
(reachable from its globals or a module) with its copy, and puts back what a request changed. This
runs one handler, with no network, on services whose files build N table fields at load time
(a flat table and a table of small tables), reading them (the usual case) or changing one field
(so one table is put back each time).

Usage: python bench/load_time_tables.py [--engine lupa|lark] [--runtime luajit|lua54] [-n N]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time

import anyio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from petrel.config import load_config  # noqa: E402
from petrel.engines import find_sources, get_engine  # noqa: E402
from petrel.libs import LibraryContext, LibraryRegistry  # noqa: E402
from petrel.messages import Request  # noqa: E402
from petrel.metrics import MetricsRegistry  # noqa: E402
from petrel.server.router import Router  # noqa: E402

SERVICE = """
FLAT = {}
for i = 1, %(flat)d do FLAT["key" .. i] = i end
NESTED = {}
for i = 1, %(nested)d do NESTED[i] = { id = i, name = "item" .. i } end
function read(request, response)
    response.content = tostring(FLAT.key1) .. tostring(NESTED[1] and NESTED[1].name)
    return response
end
function write(request, response)
    FLAT.key1 = "changed"
    response.content = "changed"
    return response
end
"""


def make_request() -> Request:
    return Request(method="GET", path="/", query="", http_version="1.1", proto="http", host="localhost",
                   headers=[("host", "localhost")], content=b"", remote_addr="127.0.0.1", remote_port=5555,
                   timestamp=time.time())


async def per_request(engine, state, handler: str, n: int) -> float:
    request = make_request()
    started = time.perf_counter()
    for _ in range(n):
        await engine.handle(state, handler, request)
        engine.reset(state)
    return (time.perf_counter() - started) / n


async def measure(engine_name: str, runtime: str, n: int) -> None:
    print(f"{'fields at load time':>20} {'read':>10} {'write one':>10}   (us per request)")
    description = ""
    for fields in (0, 100, 1000, 10000):
        with tempfile.TemporaryDirectory() as root:
            with open(os.path.join(root, "service.lua"), "w") as handle:
                # half of the fields in one flat table, half in tables of two fields each
                handle.write(SERVICE % {"flat": fields // 2, "nested": fields // 6})
            config = load_config(None, [("lua.root", root), ("lua.runtime", runtime)])
            ctx = LibraryContext(config=config, logger=logging.getLogger("bench"), metrics=MetricsRegistry(),
                                 router=Router(), lib_search_path=[root])
            engine = get_engine(engine_name)(config, LibraryRegistry(ctx))
            description = engine.description
            state = engine.new_state(find_sources(root))
            await per_request(engine, state, "read", 10)   # the first request copies the tables
            read = await per_request(engine, state, "read", n)
            write = await per_request(engine, state, "write", n)
            engine.close_state(state)
        print(f"{fields:>20} {read * 1e6:>10.1f} {write * 1e6:>10.1f}")
    print(description)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="lupa")
    parser.add_argument("--runtime", default="luajit")
    parser.add_argument("-n", type=int, default=5000)
    args = parser.parse_args()
    anyio.run(measure, args.engine, args.runtime, args.n)


if __name__ == "__main__":
    main()

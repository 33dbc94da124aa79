"""CPU time of one request through Server.dispatch (no sockets): routing, the request id, the
trusted-proxy rewrite, the handler call on a reused state, the response header, metrics.

Usage: python bench/dispatch_overhead.py [--engine lupa|lark] [--runtime luajit|lua54] [-n N]
           [--trusted-proxies CIDRS] [--header 'name: value' ...]

Measured with time.process_time (the CPU this process used), the best of --rounds rounds, so that
other processes on the machine disturb the figure less than wall-clock time would.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import anyio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from petrel.config import load_config  # noqa: E402
from petrel.engines import get_engine  # noqa: E402
from petrel.messages import Request  # noqa: E402
from petrel.server.app import Server  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "examples", "getting-started", "lua")


async def measure(args: argparse.Namespace) -> None:
    logging.getLogger("petrel").setLevel(logging.WARNING)
    overrides = [("lua.root", ROOT), ("lua.statebuffer", "2")]
    if args.engine == "lupa":
        overrides.append(("lua.runtime", args.runtime))
    if args.trusted_proxies:
        overrides.append(("server.trusted-proxies", args.trusted_proxies))
    config = load_config(None, overrides)
    server = Server(config, get_engine(args.engine))
    await server.start()
    headers = [("host", "localhost"), ("accept", "*/*"), ("user-agent", "bench")]
    for text in args.header:
        name, _, value = text.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    best = float("inf")
    for _ in range(args.rounds):
        started = time.process_time()
        for _ in range(args.n):
            request = Request(method="GET", path="/json/foo=bar", query="", http_version="1.1", proto="http",
                              host="localhost", headers=headers, content=b"", remote_addr="127.0.0.1",
                              remote_port=5555, timestamp=0.0)
            response = await server.dispatch(request)
        best = min(best, (time.process_time() - started) / args.n)
    assert response.status == 200, response
    print(f"{server.engine.description}: {best * 1e6:.1f} us of CPU per request "
          f"(trusted-proxies={args.trusted_proxies or '(none)'}, extra headers={args.header or '(none)'})")
    server.libraries.unload_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="lupa")
    parser.add_argument("--runtime", default="luajit")
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trusted-proxies", default="")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    anyio.run(measure, args)


if __name__ == "__main__":
    main()

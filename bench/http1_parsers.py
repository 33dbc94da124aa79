"""What one HTTP/1.1 request costs in each protocol object, in process (no sockets, no handler).

Per request: the bytes of a typical browser GET in, its head and (empty) body out, a small
response's head and body serialised, and the cycle reset for the next request on the connection,
as the I/O loop does it. Best of --repeat runs of N requests, microseconds per request.

Usage: python bench/http1_parsers.py [-n N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from petrel.messages import Response  # noqa: E402
from petrel.server.protocol.http11 import H11Protocol, httptools_available  # noqa: E402

REQUEST = (b"GET /text/hello?x=1 HTTP/1.1\r\nHost: localhost:8585\r\n"
           b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
           b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
           b"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
           b"Connection: keep-alive\r\nCookie: session=abc123; theme=dark\r\n\r\n")
RESPONSE = Response(200, headers=[("content-type", "text/plain")], body=b"plain: /text/hello:1\n")


def one_connection(cls: type, requests: int) -> float:
    protocol = cls()
    body = RESPONSE.body
    started = time.perf_counter()
    for _ in range(requests):
        protocol.receive_data(REQUEST)
        head = protocol.next_head()
        assert head.method == "GET"
        assert protocol.next_body_part() is None
        out = protocol.response_head(RESPONSE, len(body)) + protocol.body(body) + protocol.end()
        assert out
        assert protocol.keep_alive and not protocol.must_close
        protocol.start_next_cycle()
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="requests per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is reported")
    args = parser.parse_args()
    classes = [("h11", H11Protocol)]
    if httptools_available():
        from petrel.server.protocol.http11_httptools import HttptoolsProtocol
        classes.append(("httptools", HttptoolsProtocol))
    else:
        print("httptools is not installed: h11 only")
    results = {}
    for name, cls in classes:
        one_connection(cls, 1000)   # warm up
        results[name] = min(one_connection(cls, args.n) for _ in range(args.repeat))
        print(f"{name:10s} {results[name]:7.1f} µs per request")
    if len(results) == 2:
        print(f"h11 / httptools: {results['h11'] / results['httptools']:.1f}x")


if __name__ == "__main__":
    main()

"""What a metric costs per call: the registry of one process against the cross-worker segments
(``server.workers`` > 1), and an ``incr`` on the embedded SQLite store for comparison.

Measured in one process with ``timeit`` (best of 5 runs of N calls each), so the figures are the
metric work itself, without HTTP or Lua around it:

- counter: ``increment()`` then ``total()`` (what the getting-started handler does per request);
- server: what the server records per request (meter increment, timer update, response counter);
- meter ``increment()``, timer ``update()``;
- SQLite: one ``incr`` transaction on the embedded store's schema (WAL, synchronous=NORMAL).

Usage: python bench/metrics_cost.py [--calls 200000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from petrel.metrics import shared  # noqa: E402
from petrel.metrics.registry import MetricsRegistry  # noqa: E402


def local_registry() -> MetricsRegistry:
    registry = MetricsRegistry.__new__(MetricsRegistry)
    MetricsRegistry.__init__(registry)
    return registry


def shared_registry(run_dir: str, workers: int) -> tuple[MetricsRegistry, list[MetricsRegistry]]:
    shared.create_segments(run_dir, workers)
    registries = [shared.SharedRegistry(shared.Segments(run_dir, n)) for n in range(1, workers + 1)]
    return registries[0], registries[1:]


def cases(registry: MetricsRegistry) -> dict:
    counter = registry.counter("req_counter")
    meter = registry.meter("server.requests")
    timer = registry.timer("server.request_duration")
    responses = registry.counter("server.responses.2xx")

    def counter_case() -> None:
        counter.increment()
        counter.total()

    def server_case() -> None:
        meter.increment()
        timer.update(1.25)
        responses.increment()

    return {"counter increment+total": counter_case, "server per request": server_case,
            "meter increment": meter.increment, "timer update": lambda: timer.update(1.25)}


def best(fn, calls: int) -> float:
    return min(timeit.repeat(fn, number=calls, repeat=5)) / calls * 1e6


def sqlite_incr(path: str):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS shared (space TEXT NOT NULL, key BLOB NOT NULL, "
                 "value BLOB NOT NULL, expires REAL, PRIMARY KEY (space, key)) WITHOUT ROWID")
    conn.execute("INSERT OR REPLACE INTO shared VALUES ('m', x'00', '0', NULL)")

    def incr() -> None:
        conn.execute("BEGIN IMMEDIATE")
        value = int(conn.execute("SELECT value FROM shared WHERE space='m' AND key=x'00'").fetchone()[0])
        conn.execute("UPDATE shared SET value=? WHERE space='m' AND key=x'00'", (str(value + 1),))
        conn.execute("COMMIT")
    return incr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200000)
    args = parser.parse_args()
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="petrel-bench-", dir=base) as run_dir:
        own, others = shared_registry(run_dir, 2)
        for other in others:   # the other worker has counted too: total() reads both segments
            for name, fn in cases(other).items():
                fn()
        local = cases(local_registry())
        across = cases(own)
        print(f"{'us per call':<26}{'one process':>14}{'2 workers':>14}")
        for name in local:
            print(f"{name:<26}{best(local[name], args.calls):>14.2f}{best(across[name], args.calls):>14.2f}")
        incr = sqlite_incr(os.path.join(run_dir, "bench.sqlite3"))
        print(f"{'sqlite incr (for scale)':<26}{best(incr, max(1000, args.calls // 50)):>14.2f}")


if __name__ == "__main__":
    main()

"""Requests/s with metrics counting across workers, and of the redis library, in one run.

Cases (petrel lupa LuaJIT, ``wrk -t1 -c{connections} -d{duration}s`` after a 2 s warm-up):

- the getting-started handler (a metric counter, its total, base64) with server.workers=1 (the
  in-process registry) and server.workers=2 (the cross-worker segments);
- a metric-heavy handler (ten counter increments and totals, a meter, a timer) with 1 and 2 workers;
- one ``redis():incr`` per request on a redis-server started by the run, beside one
  ``shared.dict():incr`` on the same Redis (one worker).

On a machine with fewer free cores than workers the 2-worker figures show the cost, not the gain,
of a second process.

Usage: python bench/metrics_workers.py [--duration 5] [--connections 16]
Needs wrk and redis-server (apt-get install wrk redis-server).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from shared_incr import BOOTSTRAP, HANDLERS as SHARED_HANDLERS, free_port, wait_port, wrk  # noqa: E402

HANDLERS = {
    "plain": SHARED_HANDLERS["plain"],
    "heavy": """
        function h(request, response)
            local c = metric()
            local total = 0
            for i = 1, 10 do
                c:register_counter("c" .. i)
                c:increment()
                total = total + c:total()
            end
            local m = metric()
            m:register_meter("m")
            m:increment()
            local t = metric()
            t:register_timer("t")
            t:update(total % 50)
            response.content = tostring(total)
            return response
        end
    """,
    "redis": """
        function h(request, response)
            local r = redis()
            r:connect("127.0.0.1", PORT)
            response.content = tostring(r:incr("hits"))
            return response
        end
    """,
    "incr": SHARED_HANDLERS["incr"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    tmp = tempfile.mkdtemp(prefix="petrel-bench-")
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", tmp],
                             stdout=subprocess.DEVNULL)
    wait_port(redis_port, redis)
    cases = [("getting-started handler", "plain", 1, []),
             ("getting-started handler", "plain", 2, []),
             ("10 counters + meter + timer", "heavy", 1, []),
             ("10 counters + meter + timer", "heavy", 2, []),
             ("redis():incr", "redis", 1, []),
             ("shared.dict():incr on Redis", "incr", 1,
              [f"--shared.backend=redis://127.0.0.1:{redis_port}/0"])]
    rows = []
    try:
        for label, handler, workers, options in cases:
            root = os.path.join(tmp, f"{handler}{len(rows)}")
            os.makedirs(root)
            with open(os.path.join(root, "main.lua"), "w") as out:
                out.write(BOOTSTRAP + HANDLERS[handler].replace("PORT", str(redis_port)))
            port = free_port()
            server = subprocess.Popen([sys.executable, "-m", "petrel", "serve", f"--lua.root={root}",
                                       "--engine=lupa", "--lua.runtime=luajit", "--server.listen=127.0.0.1",
                                       f"--server.port={port}", f"--server.workers={workers}",
                                       "--log.level=4", *options],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_port(port, server)
                rps, bad = wrk(port, args.duration, args.connections)
            finally:
                server.terminate()
                server.wait(30)
            rows.append((label, workers, rps, bad))
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrk -t1 -c{args.connections} -d{args.duration}s, petrel lupa LuaJIT, {os.cpu_count()} CPUs\n")
    print("| handler | workers | requests/s | non-2xx |\n|---|---:|---:|---:|")
    for label, workers, rps, bad in rows:
        print(f"| {label} | {workers} | {rps:,.0f} | {bad} |")


if __name__ == "__main__":
    main()

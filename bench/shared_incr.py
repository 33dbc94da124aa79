"""Requests/s of a handler doing one ``shared.dict():incr`` per request, on the embedded store and on
Redis, beside the plain getting-started handler (a metric counter and base64), in one run.

Each case is one petrel process (lupa, LuaJIT, one worker) measured with
``wrk -t1 -c{connections} -d{duration}s`` after a 2 s warm-up; Redis is a redis-server started by
the run on a free loopback port (nothing saved to disk).

Usage: python bench/shared_incr.py [--duration 5] [--connections 16]
Needs wrk and redis-server (apt-get install wrk redis-server).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HANDLERS = {
    "plain": """
        function h(request, response)
            local c = metric()
            c:register_counter("req_counter")
            c:increment()
            local plain = request.path .. ":" .. c:total()
            response.content = plain .. " " .. base64.encode(plain)
            return response
        end
    """,
    "incr": """
        local d = shared.dict("bench")
        function h(request, response)
            response.content = tostring(d:incr("hits", 1, 0))
            return response
        end
    """,
}
BOOTSTRAP = 'function bootstrap() petrel.add_route("/", "h") end\n'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


def wrk(port: int, duration: int, connections: int) -> tuple[float, int]:
    url = f"http://127.0.0.1:{port}/x"
    subprocess.run(["wrk", "-t1", f"-c{connections}", "-d2s", url], capture_output=True)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", url],
                         capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), int(bad.group(1)) if bad else 0


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
    cases = [("getting-started handler (metric counter + base64)", "plain", []),
             ("shared.dict():incr, embedded store", "incr", []),
             ("shared.dict():incr, Redis", "incr",
              [f"--shared.backend=redis://127.0.0.1:{redis_port}/0"])]
    rows = []
    try:
        for label, handler, options in cases:
            root = os.path.join(tmp, f"{handler}{len(rows)}")
            os.makedirs(root)
            with open(os.path.join(root, "main.lua"), "w") as out:
                out.write(BOOTSTRAP + HANDLERS[handler])
            port = free_port()
            server = subprocess.Popen([sys.executable, "-m", "petrel", "serve", f"--lua.root={root}",
                                       "--engine=lupa", "--lua.runtime=luajit", "--server.listen=127.0.0.1",
                                       f"--server.port={port}", "--log.level=4", *options],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_port(port, server)
                rps, bad = wrk(port, args.duration, args.connections)
            finally:
                server.terminate()
                server.wait(30)
            rows.append((label, rps, bad))
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrk -t1 -c{args.connections} -d{args.duration}s, petrel lupa LuaJIT, one worker\n")
    print("| handler | requests/s | non-2xx |\n|---|---:|---:|")
    for label, rps, bad in rows:
        print(f"| {label} | {rps:,.0f} | {bad} |")


if __name__ == "__main__":
    main()

"""Soak: a long run of requests against one petrel, counting failures, with memory before and after.

Starts `petrel serve` on the getting-started service (one worker, the limits on at their defaults),
warms it up, reads its resident memory, sends --requests requests with h2load (HTTP/1.1 by default,
--h2 for HTTP/2), reads the memory again and prints one Markdown row:

  engine | requests | succeeded | failed | errored | req/s | RSS before | RSS after

Usage: python bench/soak.py [--engine lupa|lark] [--runtime luajit|lua54] [--requests 1000000]
                            [--connections 16] [--h2]
Needs h2load (apt-get install nghttp2-client).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVICE = os.path.join(ROOT, "examples", "getting-started", "lua")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"petrel exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("petrel did not start")


def h2load(port: int, requests: int, connections: int, h2: bool) -> dict[str, float]:
    command = ["h2load", "-n", str(requests), "-c", str(connections), "-m", "10" if h2 else "1",
               f"http://127.0.0.1:{port}/json/foo=bar"]
    if not h2:
        command.insert(1, "--h1")
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    found = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                      r"(\d+) errored", output)
    rate = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", output)
    if not found:
        raise SystemExit("h2load said:\n" + output)
    total, done, ok, failed, errored = (int(v) for v in found.groups())
    return {"total": total, "succeeded": ok, "failed": failed, "errored": errored,
            "rate": float(rate.group(1)) if rate else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="lupa")
    parser.add_argument("--runtime", default="luajit")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--h2", action="store_true")
    args = parser.parse_args()
    if not shutil.which("h2load"):
        raise SystemExit("h2load is not installed (apt-get install nghttp2-client)")
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="petrel-soak-", suffix=".log", delete=False)
    command = [sys.executable, "-m", "petrel", "serve", f"--lua.root={SERVICE}", f"--engine={args.engine}",
               f"--lua.runtime={args.runtime}", "--server.listen=127.0.0.1", f"--server.port={port}",
               "--log.level=4"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_ready(port, process)
        h2load(port, 20_000, args.connections, args.h2)   # warm-up: every state used, JIT warm
        before = rss_mib(process.pid)
        result = h2load(port, args.requests, args.connections, args.h2)
        after = rss_mib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    name = f"{args.engine} ({args.runtime})" if args.engine == "lupa" else args.engine
    protocol = "HTTP/2" if args.h2 else "HTTP/1.1"
    print("| engine | protocol | requests | succeeded | failed | errored | req/s | RSS before | RSS after |")
    print("|:--|:--|--:|--:|--:|--:|--:|--:|--:|")
    print(f"| {name} | {protocol} | {result['total']:,} | {result['succeeded']:,} | {result['failed']:,} | "
          f"{result['errored']:,} | {result['rate']:,.0f} | {before:.0f} MiB | {after:.0f} MiB |")
    print(f"(server log: {log.name})")


if __name__ == "__main__":
    main()

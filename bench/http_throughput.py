"""HTTP throughput and memory of petrel next to its peers, in one run: wrk for HTTP/1.1, h2load for HTTP/2.

Every server answers the getting-started JSON work (a counter, base64 of the path) on /json/foo=bar,
one process each. What the run finds, it measures; what it cannot find, it names as skipped:

  petrel lupa LuaJIT, accelerated   httptools + uvloop (the 'fast' extra)
  petrel lupa LuaJIT, pure          h11 on asyncio's loop (as without the 'fast' extra)
  petrel lupa Lua 5.4, accelerated / pure
  petrel lark, accelerated / pure
  uvicorn h11 + asyncio, uvicorn httptools + uvloop     the same work as an ASGI app (bench/peers)
  hypercorn                                             the same ASGI app, HTTP/1.1 and h2c
  nginx + lua                                           Debian's libnginx-mod-http-lua (OpenResty's module)

HTTP/1.1: `wrk -t1 -c32 -d{duration}s --latency`; HTTP/2 (h2c with prior knowledge): `h2load -n 8000
-c 8 -m 10` for the servers that speak it. Each figure comes with its ratio to petrel lupa LuaJIT
accelerated. Prints a Markdown table and writes the figures as JSON (--json, default
bench/results/http_throughput.json).

Usage: python bench/http_throughput.py [--duration 5] [--connections 32] [--only SUBSTRING]
Needs wrk and h2load (apt-get install wrk nghttp2-client); uvicorn and hypercorn (pip) and nginx with
libnginx-mod-http-lua (apt) are measured when present.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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
URL_PATH = "/json/foo=bar"
REFERENCE = "petrel lupa LuaJIT, accelerated"

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
error_log {dir}/error.log error;
pid {dir}/nginx.pid;
{modules}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    lua_shared_dict counters 1m;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        listen 127.0.0.1:{h2_port} http2;   # h2c with prior knowledge (Debian's nginx: no "http2 on")
        location /json/ {{
            default_type application/json;
            content_by_lua_block {{
                local n = ngx.shared.counters:incr("req_counter", 1, 0)
                local plain = ngx.var.uri .. ":" .. n
                ngx.print('{{\\n  "plain":"' .. plain .. '",\\n  "encoded":"' .. ngx.encode_base64(plain) .. '"\\n}}\\n')
            }}
        }}
    }}
}}
"""

# Runs petrel as it runs where the 'fast' extra is not installed: importing httptools or uvloop fails.
PURE = ("import sys; sys.modules['httptools'] = None; sys.modules['uvloop'] = None; "
        "from petrel.cli import main; sys.exit(main())")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("did not start within 60 s")


def rss_mib(pid: int) -> float:
    """Resident memory of pid and its children, in MiB."""
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in children]
    except OSError:
        pass
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, duration: int, connections: int) -> dict:
    url = f"http://127.0.0.1:{port}{URL_PATH}"
    # warm up (JIT, state buffer refills), then measure
    subprocess.run(["wrk", "-t1", f"-c{connections}", "-d2s", url], capture_output=True, text=True)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    bad = int(errors.group(1)) if errors else 0
    if socket_errors:
        bad += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": to_ms(re.search(r"50%\s+(\S+)", out).group(1)),
            "p99_ms": to_ms(re.search(r"99%\s+(\S+)", out).group(1)), "errors": bad}


def run_h2load(port: int) -> dict:
    url = f"http://127.0.0.1:{port}{URL_PATH}"
    subprocess.run(["h2load", "-n", "2000", "-c", "8", "-m", "10", url], capture_output=True, text=True)
    out = subprocess.run(["h2load", "-n", "8000", "-c", "8", "-m", "10", url],
                         capture_output=True, text=True, timeout=300).stdout
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                     out)
    rps = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    if not done or not rps or int(done.group(2)) == 0:
        raise RuntimeError("h2load: " + (out.strip().splitlines() or ["no output"])[-1])
    # "time for request:  min  max  mean  sd  +/- sd": h2load has no percentiles; the mean is kept
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out)
    return {"rps": float(rps.group(1)), "mean_ms": to_ms(mean.group(1)) if mean else None,
            "errors": int(done.group(3)) + int(done.group(4)), "succeeded": int(done.group(2))}


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def candidates(tmp: str) -> tuple[list[dict], list[str]]:
    """The servers to measure, and what was skipped (with why)."""
    python = sys.executable
    found, skipped = [], []
    accelerated = has("httptools") and has("uvloop")
    for runtime_label, extra in (("lupa LuaJIT", ["--engine=lupa"]),
                                 ("lupa Lua 5.4", ["--engine=lupa", "--lua.runtime=lua54"]),
                                 ("lark", ["--engine=lark"])):
        if "lupa" in runtime_label and not has("lupa"):
            skipped.append(f"petrel {runtime_label}: lupa is not installed")
            continue
        serve = ["serve", f"--lua.root={SERVICE}", "--server.listen=127.0.0.1", "--server.port={port}",
                 "--log.level=4", *extra]
        if accelerated:
            found.append({"label": f"petrel {runtime_label}, accelerated", "command": [python, "-m", "petrel", *serve],
                          "h2": True})
        else:
            skipped.append(f"petrel {runtime_label}, accelerated: httptools and uvloop are not installed")
        found.append({"label": f"petrel {runtime_label}, pure", "command": [python, "-c", PURE, *serve], "h2": True})
    peers = os.path.join(HERE, "peers")
    if has("uvicorn"):
        common = [python, "-m", "uvicorn", "asgi_app:app", "--host", "127.0.0.1", "--port", "{port}",
                  "--log-level", "warning", "--no-access-log"]
        found.append({"label": "uvicorn h11 + asyncio", "command": common + ["--http", "h11", "--loop", "asyncio"],
                      "cwd": peers})
        if accelerated:
            found.append({"label": "uvicorn httptools + uvloop",
                          "command": common + ["--http", "httptools", "--loop", "uvloop"], "cwd": peers})
        else:
            skipped.append("uvicorn httptools + uvloop: httptools or uvloop is not installed")
    else:
        skipped.append("uvicorn: not installed (pip install uvicorn)")
    if has("hypercorn"):
        found.append({"label": "hypercorn", "command": [python, "-m", "hypercorn", "asgi_app:app", "--bind",
                                                       "127.0.0.1:{port}", "--log-level", "warning"],
                      "cwd": peers, "h2": True})
    else:
        skipped.append("hypercorn: not installed (pip install hypercorn)")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx and os.path.exists("/usr/lib/nginx/modules/ngx_http_lua_module.so"):
        found.append({"label": "nginx + lua", "command": [nginx, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf")],
                      "nginx": True, "h2": True})
    else:
        skipped.append("nginx + lua: nginx or libnginx-mod-http-lua is not installed (apt-get install "
                       "nginx libnginx-mod-http-lua)")
    return found, skipped


def measure(server: dict, tmp: str, args: argparse.Namespace) -> dict:
    port = h2_port = free_port()
    command = [part.replace("{port}", str(port)) for part in server["command"]]
    if server.get("nginx"):
        h2_port = free_port()
        modules = "\n".join(f"load_module /usr/lib/nginx/modules/{m};"
                            for m in ("ndk_http_module.so", "ngx_http_lua_module.so"))
        with open(os.path.join(tmp, "nginx.conf"), "w") as handle:
            handle.write(NGINX_CONF.format(dir=tmp, port=port, h2_port=h2_port, modules=modules))
    log = open(os.path.join(tmp, "server.log"), "w+")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=server.get("cwd", ROOT))
    row = {"server": server["label"]}
    try:
        wait_port(port, process)
        time.sleep(0.5)
        row["rss_idle_mib"] = round(rss_mib(process.pid), 1)
        row["http1"] = run_wrk(port, args.duration, args.connections)
        row["rss_load_mib"] = round(rss_mib(process.pid), 1)
        if server.get("h2"):
            try:
                row["http2"] = run_h2load(h2_port)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                row["http2_skipped"] = str(exc)
    except Exception as exc:   # a server that does not start is reported, not fatal
        log.seek(0)
        row["failed"] = f"{exc}: {log.read()[-500:]}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    return row


def ratio(value: float | None, reference: float | None) -> str:
    if not value or not reference:
        return ""
    return f" ({value / reference:.2f}x)"


def table(rows: list[dict]) -> str:
    reference = next((r for r in rows if r["server"] == REFERENCE), {})
    ref1 = reference.get("http1", {}).get("rps")
    ref2 = reference.get("http2", {}).get("rps")
    lines = ["| server | HTTP/1.1 req/s | p50 | p99 | HTTP/2 req/s | RSS idle / under load |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        if "failed" in row:
            lines.append(f"| {row['server']} | failed: {row['failed'][:60]} | | | | |")
            continue
        h1, h2 = row["http1"], row.get("http2")
        h2_text = f"{h2['rps']:,.0f}{ratio(h2['rps'], ref2)}" if h2 else "—"
        errors = f" ({h1['errors']} errors)" if h1["errors"] else ""
        if h2 and h2["errors"]:
            h2_text += f" ({h2['errors']} errors)"
        lines.append(f"| {row['server']} | {h1['rps']:,.0f}{ratio(h1['rps'], ref1)}{errors} | "
                     f"{h1['p50_ms']:.2f} ms | {h1['p99_ms']:.2f} ms | {h2_text} | "
                     f"{row['rss_idle_mib']:.0f} / {row['rss_load_mib']:.0f} MiB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per server (default 5)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--only", default="", help="measure only the servers whose name contains this")
    parser.add_argument("--json", default=os.path.join(HERE, "results", "http_throughput.json"))
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("h2load") is None:
        sys.exit("wrk and h2load are needed (apt-get install wrk nghttp2-client)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        servers, skipped = candidates(tmp)
        for server in servers:
            if args.only and args.only not in server["label"]:
                continue
            row = measure(server, tmp, args)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    print(f"\n`wrk -t1 -c{args.connections} -d{args.duration}s --latency` (HTTP/1.1) and `h2load -n 8000 -c 8 "
          f"-m 10` (h2c), {URL_PATH}, one process each, {os.cpu_count()} cores; ratios to {REFERENCE}\n")
    print(table(rows))
    for line in skipped:
        print(f"\nskipped: {line}", end="")
    print()
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump({"time": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": os.cpu_count(),
                   "wrk": {"connections": args.connections, "duration": args.duration},
                   "h2load": {"n": 8000, "c": 8, "m": 10}, "rows": rows, "skipped": skipped}, handle, indent=1)


if __name__ == "__main__":
    main()

"""HTTP throughput and memory of petrel next to its peers, in one run, with wrk as the load.

Every server answers the getting-started JSON handler (a shared counter, base64 of the path):

  petrel (lupa, LuaJIT)   petrel serve --engine=lupa                       (one worker)
  petrel (lupa, Lua 5.4)  petrel serve --engine=lupa --lua.runtime=lua54   (one worker)
  petrel (lark)           petrel serve --engine=lark                       (one worker, if available)
  uvicorn                 the same handler as a plain ASGI app (bench/peers/asgi_app.py), one worker
  nginx + lua             OpenResty's lua-nginx-module (Debian libnginx-mod-http-lua), one worker

Usage: python bench/http_throughput.py [--duration 10] [--connections 10]
Needs wrk (apt-get install wrk); uvicorn (pip) and nginx with libnginx-mod-http-lua (apt) are
measured when present. Prints a Markdown table for the README.
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def rss_mib(pid: int) -> float:
    """Resident memory of pid and its children, in MiB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in children]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def run_wrk(port: int, duration: int, connections: int) -> tuple[float, str, int]:
    url = f"http://127.0.0.1:{port}/json/foo=bar"
    # warm up (JIT, state buffer refills), then measure
    subprocess.run(["wrk", "-t1", f"-c{connections}", "-d2s", url], capture_output=True, text=True)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    bad = int(errors.group(1)) if errors else 0
    if socket_errors:
        bad += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return rps, p99, bad


def candidates(tmp: str) -> list[tuple[str, list[str], dict]]:
    python = sys.executable
    found = []
    for label, extra in [("petrel (lupa, LuaJIT)", ["--engine=lupa"]),
                         ("petrel (lupa, Lua 5.4)", ["--engine=lupa", "--lua.runtime=lua54"]),
                         ("petrel (lark)", ["--engine=lark"])]:
        found.append((label, [python, "-m", "petrel", "serve", f"--lua.root={SERVICE}",
                              "--server.listen=127.0.0.1", "--server.port={port}",
                              "--lua.statebuffer=64", "--log.level=4", *extra], {}))
    try:
        import uvicorn  # noqa: F401
        found.append(("uvicorn (ASGI, h11)", [python, "-m", "uvicorn", "asgi_app:app", "--host", "127.0.0.1",
                                              "--port", "{port}", "--log-level", "warning",
                                              "--no-access-log", "--http", "h11"],
                      {"cwd": os.path.join(HERE, "peers")}))
    except ImportError:
        pass
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx and os.path.exists("/usr/share/nginx/modules-available/mod-http-lua.conf"):
        found.append(("nginx + lua (1 worker)", [nginx, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf")],
                      {"nginx": True}))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, command, options in candidates(tmp):
            port = free_port()
            command = [part.replace("{port}", str(port)) for part in command]
            if options.get("nginx"):
                modules = "\n".join(f"load_module {m};" for m in (
                    "modules/ndk_http_module.so", "modules/ngx_http_lua_module.so"))
                modules = modules.replace("modules/", "/usr/lib/nginx/modules/")
                with open(os.path.join(tmp, "nginx.conf"), "w") as handle:
                    handle.write(NGINX_CONF.format(dir=tmp, port=port, modules=modules))
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       cwd=options.get("cwd", ROOT))
            try:
                wait_port(port, process)
                rps, p99, bad = run_wrk(port, args.duration, args.connections)
                memory = rss_mib(process.pid)
                rows.append((label, rps, p99, bad, memory))
                print(f"{label}: {rps:,.0f} req/s, p99 {p99}, errors {bad}, RSS {memory:.0f} MiB",
                      file=sys.stderr)
            except Exception as exc:  # a peer that does not start is reported, not fatal
                print(f"{label}: not measured ({exc}): {process.stderr.read(2000) if process.poll() is not None else ''}",
                      file=sys.stderr)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
    print(f"\nwrk -t1 -c{args.connections} -d{args.duration}s, getting-started /json/ handler, "
          f"{os.cpu_count()} cores\n")
    print("| server | requests/s | p99 latency | errors | RSS after the run |")
    print("|---|---:|---:|---:|---:|")
    for label, rps, p99, bad, memory in rows:
        print(f"| {label} | {rps:,.0f} | {p99} | {bad} | {memory:.0f} MiB |")


if __name__ == "__main__":
    main()

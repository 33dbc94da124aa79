"""Helpers shared by the tests: a petrel server in a subprocess, engine choices, ports."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# (engine, lua.runtime) pairs every engine-parametrised test runs on.
ENGINE_SPECS = [
    pytest.param(("lupa", "luajit"), id="lupa-luajit"),
    pytest.param(("lupa", "lua54"), id="lupa-lua54"),
    pytest.param(("lark", None), id="lark"),
]


def engine_available(engine: str, runtime: str | None) -> str | None:
    """None when the engine can run here, else the reason it cannot."""
    from petrel.engines import EngineUnavailable, get_engine
    try:
        get_engine(engine)
    except EngineUnavailable as exc:
        return str(exc)
    if engine == "lupa" and runtime:
        import importlib
        try:
            importlib.import_module({"luajit": "lupa.luajit21"}.get(runtime, f"lupa.{runtime}"))
        except ImportError:
            return f"lupa has no {runtime} runtime here"
    return None


def _default_engine() -> tuple[str, str | None]:
    try:
        import lupa  # noqa: F401
    except ImportError:
        return ("lark", None)
    return ("lupa", "luajit")


# For tests of behaviour that does not depend on the engine: the fast one when it is installed.
DEFAULT_ENGINE = _default_engine()


@dataclass
class ServerProcess:
    process: subprocess.Popen
    log_path: Path
    port: int = 0
    host: str = "127.0.0.1"
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log())
            if match:
                return match
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not in the log:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.stopped = True
        return self.process.returncode


def write_service(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def can_connect(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def petrel_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "petrel", *args]


def launch_server(workdir: Path, root: Path | None, engine: tuple[str, str | None], *options: str,
                  config: Path | None = None, statebuffer: int = 4, expect_ready: bool = True,
                  log_name: str = "server.log") -> ServerProcess:
    """`petrel serve` in a subprocess on a free loopback port; when ``expect_ready``, wait until it
    accepts connections (an AssertionError with its log if it exits or does not start)."""
    args = ["serve"]
    args += ["-c", str(config)] if config is not None else [f"--lua.root={root}"]
    name, runtime = engine
    port = free_port()
    args += [f"--engine={name}", "--server.listen=127.0.0.1", f"--server.port={port}",
             f"--lua.statebuffer={statebuffer}", "--log.level=7"]
    if runtime:
        args.append(f"--lua.runtime={runtime}")
    args += list(options)
    log_path = workdir / log_name
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(petrel_command(*args), stdout=log_file, stderr=subprocess.STDOUT,
                                   cwd=str(workdir), env=env)
    server = ServerProcess(process, log_path, port)
    if expect_ready:
        deadline = time.monotonic() + 30
        while not can_connect(port):
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}:\n{server.log()}")
            if time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"server did not start:\n{server.log()}")
            time.sleep(0.05)
    return server


def read_until_close(sock: socket.socket, limit: float = 10.0) -> bytes:
    """Everything the server sends until it closes; fails the test if it does not close in time."""
    data = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            return data
        data += chunk
    pytest.fail(f"the server did not close the connection; it sent {data[:200]!r}")

"""Shared fixtures: a real petrel server in a subprocess on a loopback port, per engine."""

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


@pytest.fixture(params=ENGINE_SPECS)
def engine(request) -> tuple[str, str | None]:
    spec = request.param
    reason = engine_available(*spec)
    if reason:
        pytest.skip(reason)
    return spec


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


@pytest.fixture
def start_server(tmp_path):
    """start_server(lua_files_or_dir, engine=(name, runtime), *options) -> a running ServerProcess."""
    servers: list[ServerProcess] = []
    counter = [0]

    def start(service: dict[str, str] | Path, engine: tuple[str, str | None] = ("lupa", "luajit"),
              *options: str, config: Path | None = None, expect_ready: bool = True,
              statebuffer: int = 4) -> ServerProcess:
        counter[0] += 1
        if isinstance(service, dict):
            root = write_service(tmp_path / f"service{counter[0]}", service)
        else:
            root = service
        args = ["serve"]
        if config is not None:
            args += ["-c", str(config)]
        else:
            args += [f"--lua.root={root}"]
        name, runtime = engine
        port = free_port()
        args += [f"--engine={name}", "--server.listen=127.0.0.1", f"--server.port={port}",
                 f"--lua.statebuffer={statebuffer}", "--log.level=7"]
        if runtime:
            args.append(f"--lua.runtime={runtime}")
        args += list(options)
        log_path = tmp_path / f"server{counter[0]}.log"
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(petrel_command(*args), stdout=log_file, stderr=subprocess.STDOUT,
                                       cwd=str(tmp_path), env=env)
        server = ServerProcess(process, log_path, port)
        servers.append(server)
        if expect_ready:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if can_connect(port):
                    break
                if process.poll() is not None:
                    raise AssertionError(f"server exited with {process.returncode}:\n{server.log()}")
                time.sleep(0.05)
            else:
                raise AssertionError(f"server did not start:\n{server.log()}")
        return server

    yield start
    for server in servers:
        if not server.stopped:
            server.stop()

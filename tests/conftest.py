"""Shared fixtures: a real petrel server in a subprocess on a loopback port, per engine."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from support import (DEFAULT_ENGINE, ENGINE_SPECS, ServerProcess, can_connect, engine_available,
                     free_port, petrel_command, write_service)


@pytest.fixture(params=ENGINE_SPECS)
def engine(request) -> tuple[str, str | None]:
    spec = request.param
    reason = engine_available(*spec)
    if reason:
        pytest.skip(reason)
    return spec


@pytest.fixture
def start_server(tmp_path):
    """start_server(lua_files_or_dir, engine=(name, runtime), *options) -> a running ServerProcess."""
    servers: list[ServerProcess] = []
    counter = [0]

    def start(service: dict[str, str] | Path, engine: tuple[str, str | None] = DEFAULT_ENGINE,
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

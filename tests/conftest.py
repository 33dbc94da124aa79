"""Shared fixtures: a real petrel server in a subprocess on a loopback port, per engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import DEFAULT_ENGINE, ENGINE_SPECS, ServerProcess, engine_available, launch_server, write_service


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
        root = None
        if isinstance(service, dict):
            root = write_service(tmp_path / f"service{counter[0]}", service)
        elif config is None:
            root = service
        server = launch_server(tmp_path, root, engine, *options, config=config, statebuffer=statebuffer,
                               expect_ready=expect_ready, log_name=f"server{counter[0]}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        if not server.stopped:
            server.stop()

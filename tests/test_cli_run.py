"""`petrel run`: one request through the router and the handler, no socket, on every engine."""

from __future__ import annotations

import subprocess

from support import petrel_command, write_service

SERVICE = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/echo", "echo") petrel.add_route("/boom", "boom") end\n',
    "echo.lua": """
        function echo(request, response)
            response.headers["x-method"] = request.method
            response.content = request.query .. "|" .. request.content .. "|" .. (request.headers["x-a"] or "")
            return response
        end
        function boom(request, response) error("no luck") end
    """,
}


def run(root, engine, *args):
    name, runtime = engine
    extra = [f"--lua.runtime={runtime}"] if runtime else []
    return subprocess.run(petrel_command("run", str(root), f"--engine={name}", *extra, *args),
                          capture_output=True, timeout=60)


def test_run_prints_status_headers_body(engine, tmp_path):
    root = write_service(tmp_path / "svc", SERVICE)
    result = run(root, engine, "--path", "/echo?q=1", "--header", "x-a: b", "--data", "body")
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\n\n")
    assert head.splitlines()[0] == b"200"
    assert b"x-method: POST" in head.splitlines()
    assert body == b"q=1|body|b"


def test_run_exit_code_1_for_errors(engine, tmp_path):
    root = write_service(tmp_path / "svc", SERVICE)
    result = run(root, engine, "--path", "/boom")
    assert result.returncode == 1
    assert result.stdout.startswith(b"500\n")
    assert b"no luck" in result.stderr and b"Traceback" not in result.stderr
    assert run(root, engine, "--path", "/missing").stdout.startswith(b"404\n")
    bad = run(root, engine, "--path", "/echo", "--header", "nocolon")
    assert bad.returncode == 2 and b"expected 'name: value'" in bad.stderr

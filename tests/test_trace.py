"""lua.trace (--trace): the lark engine logs each Lua line a handler runs with the locals it
changed; the lupa engine refuses the option at start-up, naming it."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from support import engine_available, petrel_command, write_service

SERVICE = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/sum", "sum") end\n',
    "sum.lua": """\
function sum(request, response)
    local total = 0
    for i = 1, 3 do
        total = total + i
    end
    local t = { n = total, name = "x\\n" }
    response.content = tostring(total)
    return response
end
""",
}


def test_trace_lines_and_changed_locals_on_lark(start_server):
    if engine_available("lark", None):
        pytest.skip("no lark")
    server = start_server(SERVICE, ("lark", None), "--trace")
    assert httpx.get(server.url + "/sum").text == "6"
    server.wait_for_log(r"trace sum.lua:7")
    lines = [line.split("| ", 4)[-1] for line in server.log().splitlines() if "trace sum.lua" in line]
    body = lines[lines.index("trace sum.lua:2  total=0"):]
    assert body[:8] == ["trace sum.lua:2  total=0", "trace sum.lua:3  i=1", "trace sum.lua:4  total=1",
                        "trace sum.lua:3  i=2", "trace sum.lua:4  total=3", "trace sum.lua:3  i=3",
                        "trace sum.lua:4  total=6", "trace sum.lua:3"]
    assert "trace sum.lua:6  t={n=6, name='x\\n'}" in body or "trace sum.lua:6  t={name='x\\n', n=6}" in body
    assert "trace sum.lua:7" in body and "trace sum.lua:8" in body


def test_trace_with_petrel_run(tmp_path):
    if engine_available("lark", None):
        pytest.skip("no lark")
    root = write_service(tmp_path / "svc", SERVICE)
    result = subprocess.run(petrel_command("run", str(root), "--engine=lark", "--trace", "--path", "/sum"),
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert b"trace sum.lua:4  total=6" in result.stderr


def test_lupa_refuses_trace(tmp_path):
    if engine_available("lupa", "luajit"):
        pytest.skip("no lupa")
    root = write_service(tmp_path / "svc", SERVICE)
    result = subprocess.run(petrel_command("run", str(root), "--engine=lupa", "--trace", "--path", "/sum"),
                            capture_output=True, timeout=60)
    assert result.returncode == 1
    assert b"option 'lua.trace'" in result.stderr and b"Traceback" not in result.stderr

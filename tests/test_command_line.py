"""The command line: conventional short options, environment variables, precedence, suggestions,
the start-up line, JSON logs, and docs/configuration.md generated from the option table."""

from __future__ import annotations

import json
import os
import subprocess

import httpx
import pytest

from support import EXAMPLES, ROOT, free_port, petrel_command
from petrel.config import OPTIONS, env_name, load_config

SERVICE = EXAMPLES / "getting-started" / "lua"


def run_petrel(*args, env=None, cwd=None):
    return subprocess.run(petrel_command(*args), capture_output=True, text=True, timeout=60, cwd=cwd,
                          env=dict(os.environ, **(env or {})))


def test_version_both_spellings():
    for args in (["-V"], ["--version"], ["serve", "--version"], ["serve", "-V"]):
        result = run_petrel(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.startswith("petrel "), args


@pytest.mark.parametrize("args, message", [
    (["--lua.rot=x"], "unknown option 'lua.rot' (did you mean --lua.root"),
    (["--prot", "1"], "did you mean --root or --port?"),
    (["--port"], "option 'port' needs a value (--port=value)"),
    (["--log-level", "loud"], "bad value 'loud' for option 'log.level'"),
])
def test_command_line_mistakes_are_one_line(tmp_path, args, message):
    result = run_petrel("serve", str(tmp_path), *args)
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_environment_between_file_and_command_line(tmp_path):
    conf = tmp_path / "petrel.conf"
    conf.write_text(f"[server]\nport=9000\nworkers=1\n[lua]\nroot={SERVICE}\nstatebuffer=3\n")
    env = {"PETREL_SERVER_PORT": "9001", "PETREL_LUA_STATEBUFFER": "4",
           "PETREL_SERVER_HTTP2_MAX_FRAME_SIZE": "65536", "PETREL_LOG_LEVEL": "debug"}
    config = load_config(str(conf), [("server.port", "9002")], environ=env)
    assert config.server_port == 9002                     # command line > environment
    assert config.lua_statebuffer == 4                    # environment > file
    assert config.server_http2_max_frame_size == 65536
    assert config.log_level == 7
    assert config.sources["lua.statebuffer"] == "environment variable PETREL_LUA_STATEBUFFER"
    assert env_name("server.http2.max-frame-size") == "PETREL_SERVER_HTTP2_MAX_FRAME_SIZE"


def test_bad_environment_value_names_the_variable(tmp_path):
    result = run_petrel("serve", str(tmp_path), env={"PETREL_SERVER_PORT": "80x"})
    assert result.returncode == 2
    assert result.stderr.strip() == ("petrel: environment variable PETREL_SERVER_PORT: bad value '80x' "
                                     "for option 'server.port': expected an integer")


@pytest.mark.parametrize("name, level", [("debug", 7), ("info", 6), ("warning", 4), ("error", 3),
                                         ("ERR", 3), ("5", 5)])
def test_log_level_names(name, level):
    assert load_config(None, [("log.level", name)], require_root=False).log_level == level


def test_help_registers_every_option_in_both_forms():
    result = run_petrel("serve", "--help")
    assert result.returncode == 0
    for flag in ("--host", "--port", "--workers", "--reload", "--log-level", "-c FILE", "ROOT"):
        assert flag in result.stdout
    for option in OPTIONS:
        assert f"--{option.key} V" in result.stdout


def test_short_options_serve_with_the_start_up_line_and_json_logs(tmp_path):
    """--host, --port, --log-level by name, --reload, a positional ROOT, env for the rest."""
    port = free_port()
    log_path = tmp_path / "server.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1", PETREL_LOG_FORMAT="json", PETREL_LOG_ACCESS="1",
               PETREL_LUA_STATEBUFFER="1")
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(petrel_command("serve", str(SERVICE), "--host", "127.0.0.1", "--port",
                                                  str(port), "--log-level=debug", "--reload"),
                                   stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        for _ in range(600):
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/json/x?a=1", headers={"user-agent": "probe"},
                                  timeout=10)
                break
            except httpx.TransportError:
                assert process.poll() is None, log_path.read_text()
                import time
                time.sleep(0.05)
        assert reply.status_code == 200
    finally:
        process.terminate()
        process.wait(20)
    entries = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert entries and all(entry["worker"] == "w1" for entry in entries)
    messages = [entry["message"] for entry in entries]
    assert f"serving http://127.0.0.1:{port}/ (press Ctrl+C to stop)" in messages
    assert any("devmode" in message for message in messages)           # --reload = lua.devmode
    access = [entry for entry in entries if entry["component"] == "access"]
    assert len(access) == 1
    assert access[0]["path"] == "/json/x" and access[0]["query"] == "a=1"
    assert access[0]["user_agent"] == "probe" and access[0]["status"] == 200
    assert len(access[0]["request_id"]) == 16 and access[0]["duration_ms"] >= 0


def test_configuration_reference_is_current():
    """docs/configuration.md is `petrel options --markdown`; regenerate it when an option changes."""
    result = run_petrel("options", "--markdown")
    assert result.returncode == 0
    page = (ROOT / "docs" / "configuration.md").read_text()
    assert page == result.stdout, "docs/configuration.md is stale: run `petrel options --markdown > docs/configuration.md`"
    for option in OPTIONS:
        assert f"`{option.key}`" in page

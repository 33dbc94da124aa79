"""Configuration: file and command line, errors naming the option, --help listing every option."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from support import DEFAULT_ENGINE, EXAMPLES, petrel_command
from petrel.config import OPTIONS, ConfigError, load_config


def run_petrel(*args, cwd=None, timeout=30):
    return subprocess.run(petrel_command(*args), capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_help_lists_every_option_with_default():
    result = run_petrel("serve", "--help")
    assert result.returncode == 0
    for option in OPTIONS:
        line = next((l for l in result.stdout.splitlines() if f"--{option.key} " in l), None)
        assert line is not None, option.key
        assert "(default:" in line


def test_file_and_command_line(tmp_path):
    root = tmp_path / "svc"
    root.mkdir()
    conf = tmp_path / "petrel.conf"
    conf.write_text("[server]\nport=9000\nworkers=1\n\n[lua]\nroot=svc\nstatebuffer=7\n\n[log]\nlevel=5\n")
    config = load_config(str(conf), [("server.port", "9001"), ("lua.devmode", "yes")])
    assert config.server_port == 9001            # the command line wins
    assert config.lua_statebuffer == 7
    assert config.lua_root == str(root)          # relative to the file's directory
    assert config.lua_devmode is True
    assert config.log_level == 5
    assert config.lua_runtime == "luajit"        # default, as the original petrel
    assert config.sources["server.port"] == "command line --server.port"
    assert config.sources["lua.statebuffer"] == f"{conf}:7"


@pytest.mark.parametrize("text, message", [
    ("[server]\nport=80x\n", "petrel.conf:2: bad value '80x' for option 'server.port': expected an integer"),
    ("[server]\n\nnope=1\n", "petrel.conf:3: unknown option 'server.nope'"),
    ("[lua]\nroot=/does/not/exist\n", "petrel.conf:2: option 'lua.root': /does/not/exist is not a directory"),
    ("[lua]\nruntime=lua99\n", "petrel.conf:2: bad value 'lua99' for option 'lua.runtime'"),
    ("[log]\nlevel=9\n", "petrel.conf:2: bad value '9' for option 'log.level': must be at most 7"),
    ("[server]\nhttp2.tls=1\n[lua]\nroot=.\n", "option 'server.http2.key-file' is required when server.http2.tls is on"),
    ("[server]\nport=1\n", "option 'lua.root' is required"),
    ("port=1\n", "File contains no section headers"),
])
def test_config_errors_are_one_line_with_exit_code_2(tmp_path, text, message):
    conf = tmp_path / "petrel.conf"
    conf.write_text(text)
    result = run_petrel("serve", "-c", str(conf), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--server.port=abc"], "command line --server.port: bad value 'abc' for option 'server.port'"),
    (["--server.bogus=1"], "command line --server.bogus: unknown option 'server.bogus'"),
    (["--lua.statebuffer"], "option 'lua.statebuffer' needs a value"),
    (["--engine=nope"], "invalid choice: 'nope'"),
])
def test_command_line_errors(tmp_path, args, message):
    result = run_petrel("serve", f"--lua.root={tmp_path}", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_root_exit_code(tmp_path):
    result = run_petrel("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert "option 'lua.root' is required" in result.stderr


def test_load_config_errors_in_python():
    with pytest.raises(ConfigError, match="unknown option 'x.y'"):
        load_config(None, [("x.y", "1")], require_root=False)


def test_missing_bootstrap_is_a_startup_error(start_server, engine):
    server = start_server({"a.lua": "function handler() end\n"}, engine, expect_ready=False)
    assert server.process.wait(30) == 1
    assert "defines no global function 'bootstrap'" in server.log()
    assert "Traceback" not in server.log()


def test_syntax_error_is_a_startup_error(start_server, engine):
    service = {"bootstrap.lua": "function bootstrap() end\n", "broken.lua": "\n\nlocal x = = 1\n"}
    server = start_server(service, engine, expect_ready=False)
    assert server.process.wait(30) == 1
    assert "loading broken.lua failed: broken.lua:3:" in server.log()
    assert "Traceback" not in server.log()


def test_lua_runtimes(start_server):
    """lua.runtime chooses lupa's Lua; each answers the getting-started service."""
    import importlib
    pytest.importorskip("lupa")
    for runtime, module in [("luajit", "lupa.luajit21"), ("lua51", "lupa.lua51"), ("lua52", "lupa.lua52"),
                            ("lua53", "lupa.lua53"), ("lua54", "lupa.lua54"), ("lua55", "lupa.lua55")]:
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        server = start_server(EXAMPLES / "getting-started" / "lua", ("lupa", runtime),
                              config=EXAMPLES / "getting-started" / "petrel.conf", statebuffer=1)
        reply = httpx.get(f"{server.url}/json/x")
        assert reply.status_code == 200, (runtime, server.log())
        assert b'"plain":"/json/x:1"' in reply.content
        server.stop()


def test_devmode_reloads_files(start_server, engine, tmp_path):
    root = tmp_path / "dev"
    root.mkdir()
    (root / "b.lua").write_text('function bootstrap() petrel.add_route("/", "h") end\n')
    (root / "h.lua").write_text('function h(req, res) res.content = "one" return res end\n')
    server = start_server(root, engine, "--lua.devmode=1")
    assert httpx.get(server.url + "/").text == "one"
    (root / "h.lua").write_text('function h(req, res) res.content = "two" return res end\n')
    assert httpx.get(server.url + "/").text == "two"
    (root / "h.lua").write_text('function h(req, res) res.content = = "broken" end\n')
    reply = httpx.get(server.url + "/")
    assert reply.status_code == 500
    server.wait_for_log(r"loading h.lua failed: h.lua:1:")


def test_engine_auto_prefers_lupa(start_server):
    server = start_server(EXAMPLES / "getting-started" / "lua", ("auto", None),
                          config=EXAMPLES / "getting-started" / "petrel.conf", statebuffer=1)
    try:
        import lupa  # noqa: F401
        expected = "engine: lupa "
    except ImportError:
        expected = "engine: lark"
    server.wait_for_log(expected)
    assert httpx.get(f"{server.url}/json/x").status_code == 200


def test_port_in_use_is_one_clear_line(start_server):
    first = start_server(EXAMPLES / "getting-started" / "lua", config=EXAMPLES / "getting-started" / "petrel.conf",
                         statebuffer=1)
    second = start_server(EXAMPLES / "getting-started" / "lua", DEFAULT_ENGINE, f"--server.port={first.port}",
                          config=EXAMPLES / "getting-started" / "petrel.conf", statebuffer=1,
                          expect_ready=False)
    assert second.process.wait(30) == 1
    assert f"cannot listen on 127.0.0.1 port {first.port}: Address already in use" in second.log()
    assert "Traceback" not in second.log()

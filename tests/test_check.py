"""`petrel check`: syntax errors as file:line:col with a caret, undefined route handlers, undeclared
globals written inside functions; exit codes for CI."""

from __future__ import annotations

import subprocess

from support import EXAMPLES, petrel_command, write_service

GOOD = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/a", "a") end\n',
    "a.lua": """\
        counter = 0
        local helper = function(n) local m = n * 2 return m end
        function a(request, response)
            local x = helper(1)
            for i, v in ipairs({1}) do x = x + v end
            counter = counter + 1
            response.content = tostring(x)
            return response
        end
    """,
}


def check(root, engine, *args):
    name, runtime = engine
    extra = [f"--lua.runtime={runtime}"] if runtime else []
    return subprocess.run(petrel_command("check", str(root), f"--engine={name}", *extra, *args),
                          capture_output=True, text=True, timeout=60)


def test_clean_service_passes(engine, tmp_path):
    result = check(write_service(tmp_path / "svc", GOOD), engine)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert check(EXAMPLES / "getting-started" / "lua", engine).returncode == 0


def test_syntax_error_with_position_and_caret(engine, tmp_path):
    service = dict(GOOD, **{"sub/broken.lua": "local t = {}\nif t then\n  print(t]\nend\n"})
    result = check(write_service(tmp_path / "svc", service), engine)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("sub/broken.lua:3:"), result.stdout
    assert ": error: " in lines[0] and "near ']'" in lines[0]
    assert lines[1].strip() == "print(t]"
    assert lines[2].index("^") == lines[1].index("]")
    assert "Traceback" not in result.stderr


def test_undeclared_global_warning_and_missing_handler(engine, tmp_path):
    service = dict(GOOD, **{"bootstrap.lua": 'function bootstrap() petrel.add_route("/a", "a") '
                                             'petrel.add_route("/b", "nowhere") end\n',
                            "w.lua": "function w(req, res)\n    total = 1\n    return res\nend\n"})
    result = check(write_service(tmp_path / "svc", service), engine)
    assert result.returncode == 1
    assert "w.lua:2:5: warning: assignment to undeclared global 'total'" in result.stdout
    assert "counter" not in result.stdout          # defined at load time
    assert "route /b -> 'nowhere': no file defines a global function 'nowhere'" in result.stdout
    warn_only = dict(GOOD, **{"w.lua": "function w(req, res)\n    total = 1\n    return res\nend\n"})
    root = write_service(tmp_path / "svc2", warn_only)
    assert check(root, engine).returncode == 0
    assert check(root, engine, "--strict").returncode == 1

"""python -m petrel.lua_interp behaves like the lua command."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lua(*args, stdin=None):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "petrel.lua_interp", *args], input=stdin,
                          capture_output=True, env=env, timeout=60)


def test_script_with_args(tmp_path):
    script = tmp_path / "s.lua"
    script.write_text("print(arg[0] ~= nil, arg[1], arg[2], select('#', ...), ...)")
    r = lua(str(script), "a", "b")
    assert r.returncode == 0
    assert r.stdout == b"true\ta\tb\t2\ta\tb\n"


def test_execute_and_version():
    r = lua("-v", "-e", "print(1 + 1)")
    assert r.returncode == 0
    assert r.stdout.splitlines() == [b"Lua 5.4 (petrel.lua_interp, pure Python)", b"2"]


def test_stdin_script():
    r = lua("-", stdin=b"print('from stdin')")
    assert r.stdout == b"from stdin\n"


def test_error_exit_status_and_traceback(tmp_path):
    script = tmp_path / "bad.lua"
    script.write_text("local function f()\n  error('broken')\nend\nf()\n")
    r = lua(str(script))
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith("lua: %s:2: broken\n" % script)
    assert "stack traceback:" in err


def test_repl_prints_expression_values():
    r = lua("-i", stdin=b"x = 21\nx * 2\nfunction f()\nreturn 'multi' end\nf()\n")
    assert r.returncode == 0
    assert b"42" in r.stdout and b"multi" in r.stdout

"""`petrel repl`: a Lua prompt with the libraries and a service's files, through standard input and
through a pseudo-terminal, on every engine."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from support import petrel_command, write_service

SERVICE = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/x", "x") started = "yes" end\n',
    "util.lua": "function double(n) return 2 * n end\nlimits = { max = 3 }\n",
    "x.lua": "function x(request, response) return response end\n",
}


def repl(engine, stdin: str, *args: str, root=None) -> subprocess.CompletedProcess:
    name, runtime = engine
    extra = [f"--lua.runtime={runtime}"] if runtime else []
    where = [str(root)] if root is not None else []
    return subprocess.run(petrel_command("repl", *where, f"--engine={name}", *extra, *args),
                          input=stdin.encode(), capture_output=True, timeout=60)


def test_expressions_statements_and_globals(engine):
    result = repl(engine, 'x = 1 + 2\nx\nx * 2, "s", nil\nfunction f(a)\n  return a * 10\nend\nf(x)\n'
                          'print("hi", 42)\nlocal gone = 1\ngone\n')
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == ["3", "6\ts\tnil", "30", "hi\t42", "nil"]
    assert result.stderr == b""


def test_the_service_files_bootstrap_and_libraries(engine, tmp_path):
    root = write_service(tmp_path / "svc", SERVICE)
    result = repl(engine, 'double(21)\nlimits.max\nstarted\nbase64.encode("abc")\ntype(hash.sha1)\n'
                          'type(os.execute), type(io), type(pcall)\n', root=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == ["42", "3", "yes", "YWJj", "function", "nil\tnil\tfunction"]


def test_errors_name_stdin_and_the_session_goes_on(engine):
    result = repl(engine, 'error("boom")\nnil + 1\nx = 5\nx\n')
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "stdin:1: boom" in err
    assert "attempt to perform arithmetic" in err
    assert "Traceback (most recent call last)" not in err and "petrel sandbox" not in err
    assert result.stdout.decode().splitlines() == ["5"]


def test_syntax_errors_and_unfinished_input(engine):
    result = repl(engine, "x = = 1\nfunction g()\n  return 7\nend\ng()\nfunction h()\n")
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "stdin:1:" in err and "unexpected symbol" in err
    assert result.stdout.decode().splitlines() == ["7"]
    assert "'end' expected" in err   # the last, unfinished input is reported at the end


def test_limits_stop_an_input_and_the_prompt_stays(engine):
    result = repl(engine, "y = 1\nwhile true do end\ny + 1\n", "--lua.timeout=300")
    assert result.returncode == 1
    assert "lua.timeout (300 ms)" in result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["2"]


def test_a_service_that_does_not_load_is_reported(engine, tmp_path):
    root = write_service(tmp_path / "svc", {"bad.lua": "function f(\n"})
    result = repl(engine, "1\n", root=root)
    assert result.returncode == 1
    assert b"bad.lua" in result.stderr and b"Traceback" not in result.stderr


def _read_until(fd: int, wanted: bytes, limit: float = 90.0, seen: bytes = b"") -> bytes:
    """Read the terminal until ``wanted`` is in what was read (``seen``: what came before)."""
    deadline = time.monotonic() + limit
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{wanted!r} not seen in {seen!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:   # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    assert wanted in seen, f"{wanted!r} not seen in {seen!r}"
    return seen


def test_on_a_terminal_prompts_multiline_and_history(engine, tmp_path):
    name, runtime = engine
    extra = [f"--lua.runtime={runtime}"] if runtime else []
    env = dict(os.environ, HOME=str(tmp_path), TERM="dumb")
    main, secondary = pty.openpty()
    child = subprocess.Popen(petrel_command("repl", f"--engine={name}", *extra),
                             stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True)
    os.close(secondary)
    try:
        _read_until(main, b"> ")
        os.write(main, b"function sq(n)\n")
        _read_until(main, b">> ")
        os.write(main, b"return n * n end\n")
        os.write(main, b"sq(12)\n")
        seen = _read_until(main, b"144")
        # The prompt again (it may come split over reads): Ctrl-D now reaches readline.
        _read_until(main, b"> ", seen=seen.split(b"144", 1)[1])
        os.write(main, b"\x04")   # Ctrl-D leaves
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(main)
    history = (tmp_path / ".petrel_history").read_text()
    assert "sq(12)" in history


if sys.platform != "linux":   # pragma: no cover
    del test_on_a_terminal_prompts_multiline_and_history

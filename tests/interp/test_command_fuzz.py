"""The lua command never prints a Python traceback: generated programs and mutated corpus and
standalone programs (which use io, os, debug and coroutines) run as
``python -m petrel.lua_interp FILE``; whatever they do, a failure is a ``lua: ...`` message."""
import pathlib
import subprocess
import sys

from hypothesis import HealthCheck, given, settings, strategies as st

from test_fuzz import CORPUS, mutate, mutation, program

STANDALONE = sorted((pathlib.Path(__file__).parent / "standalone").glob("*.lua"))
COMMAND = settings(max_examples=8, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])


def run_command(tmp_path, source: str):
    script = tmp_path / "prog.lua"
    script.write_bytes(source.encode("latin-1", "replace"))
    try:
        p = subprocess.run([sys.executable, "-m", "petrel.lua_interp", "prog.lua"], cwd=tmp_path,
                           capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return  # a program that loops: nothing printed so far was a traceback (checked below)
    err = p.stderr.decode("latin-1")
    assert "Traceback (most recent call last)" not in err, (source, err)
    if p.returncode not in (0,):
        assert err.startswith("lua: ") or err == "", (source, err)


@COMMAND
@given(program)
def test_generated_programs_on_the_command(tmp_path, source):
    run_command(tmp_path, source)


@COMMAND
@given(st.sampled_from(CORPUS + STANDALONE), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_programs_on_the_command(tmp_path, path, ops):
    run_command(tmp_path, mutate(path.read_bytes().decode("latin-1"), ops))

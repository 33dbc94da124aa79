"""The lua command against lupa's Lua 5.4 with all its libraries (io, debug, coroutine).

Each standalone/*.lua program runs as ``python -m petrel.lua_interp FILE`` and on lupa's Lua
5.4 (lupa_standalone.py), both in a fresh directory; standard output and the error line must
be the same.
"""
import pathlib
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
PROGRAMS = sorted((HERE / "standalone").glob("*.lua"))


def _run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=120)
    err = p.stderr.decode("latin-1").splitlines()
    return p.stdout.decode("latin-1"), (err[0] if err else ""), p.returncode


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_standalone_program(path, tmp_path):
    pytest.importorskip("lupa.lua54")
    ours_dir, ref_dir = tmp_path / "ours", tmp_path / "ref"
    for d in (ours_dir, ref_dir):
        d.mkdir()
        shutil.copy(path, d / path.name)
    ours = _run([sys.executable, "-m", "petrel.lua_interp", path.name], ours_dir)
    ref = _run([sys.executable, str(HERE / "lupa_standalone.py"), path.name], ref_dir)
    assert "Traceback" not in ours[1]
    assert ours == ref

"""The Lua authors' own Lua 5.4.4 test files, run on ``python -m petrel.lua_interp`` by their scorer.

The files that pass are asserted to keep passing; the others are run and reported (xfail) with the
place they stop, so a file that starts passing shows up as XPASS and moves to PASSING.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(os.path.dirname(ROOT), "shared", "lua-5.4-tests")
SCORER = os.path.join(TESTS, "score.py")
# helper modules of the full suite that the files here require (tracegc)
HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lua54")

PASSING = ["bitwise", "calls", "closure", "constructs", "coroutine", "events", "goto", "literals",
           "locals", "nextvar", "strings", "utf8"]
# file -> where it stops today
NOT_YET: dict = {}

pytestmark = pytest.mark.skipif(not os.path.exists(SCORER), reason="the official test files are not here")


def _score(name: str, timeout: int) -> tuple[float, str]:
    env = dict(os.environ, LUA_TESTS_TIMEOUT=str(timeout), LUA_PATH=os.path.join(HELPERS, "?.lua") + ";;")
    p = subprocess.run([sys.executable, SCORER, name], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=timeout + 60)
    m = re.search(r"^%s\s+([0-9.]+)\s+(.*)$" % re.escape(name), p.stdout, re.M)
    assert m, p.stdout + p.stderr
    return float(m.group(1)), m.group(2)


@pytest.mark.parametrize("name", PASSING)
def test_official_file_passes(name):
    s, why = _score(name, 300)
    assert why == "pass", "%.3f %s" % (s, why)


@pytest.mark.parametrize("name", sorted(NOT_YET))
def test_official_file_not_yet(name):
    s, why = _score(name, 120)
    if why != "pass":
        pytest.xfail("%s: %.2f, %s" % (NOT_YET[name], s, why))

"""Differential corpus: every corpus/*.lua program prints the same here and on Lua 5.4 (lupa)."""
import pathlib

import pytest

from luarun import run_lupa, run_ours

CORPUS = sorted((pathlib.Path(__file__).parent / "corpus").glob("*.lua"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus(path):
    source = path.read_bytes()
    ours = run_ours(source)
    pytest.importorskip("lupa.lua54")
    reference = run_lupa(source)
    assert ours.decode("latin-1") == reference.decode("latin-1")

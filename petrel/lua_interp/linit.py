"""Opens the standard libraries into a state (the linit of this interpreter)."""
from __future__ import annotations

from .lbaselib import open_base

LOADED_LIBS = (
    ("string", "lstrlib", "open_string"),
    ("table", "ltablib", "open_table"),
    ("math", "lmathlib", "open_math"),
    ("os", "loslib", "open_os"),
    ("utf8", "lutf8lib", "open_utf8"),
)


def open_libs(rt, G):
    import importlib
    open_base(rt, G)
    loaded = G.__class__()
    for name, module, opener in LOADED_LIBS:
        try:
            mod = importlib.import_module("." + module, __package__)
        except ImportError:
            continue
        lib = getattr(mod, opener)(rt)
        G.rawset(name, lib)
        loaded.rawset(name, lib)
    loaded.rawset("_G", G)
    package = G.__class__()
    package.rawset("loaded", loaded)
    G.rawset("package", package)

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


def open_standalone(rt, G):
    """What the lua command adds to a state: require, package, debug, coroutine, io and the rest
    of os (handlers never get these)."""
    from .ldblib import open_debug
    from .lpackagelib import open_package
    package = open_package(rt, G)
    debug = open_debug(rt)
    G.rawset("debug", debug)
    package.rawget("loaded").rawset("debug", debug)
    from .lcorolib import open_coroutine
    co = open_coroutine(rt)
    G.rawset("coroutine", co)
    package.rawget("loaded").rawset("coroutine", co)
    from .loslib import open_os_standalone
    os_table = G.rawget("os")
    if os_table is not None:
        open_os_standalone(rt, os_table)
    from .lauxlib import new_lib
    from .lbaselib import luaB_warn
    G.rawset("warn", new_lib(rt, {"warn": luaB_warn}).rawget("warn"))
    from .liolib import open_io
    io = open_io(rt)
    G.rawset("io", io)
    package.rawget("loaded").rawset("io", io)

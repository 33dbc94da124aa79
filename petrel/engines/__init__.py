"""Engines: one contract (:mod:`petrel.engines.base`), two backends, one registry by name.

``lupa`` runs LuaJIT or PUC Lua 5.1-5.5 through the lupa C bindings; ``lark`` runs
:mod:`petrel.lua_interp`, the pure-Python Lua 5.4. ``auto`` is lupa when it imports, else lark.
Backends are imported only when asked for, so a machine without lupa never imports it.
"""

from __future__ import annotations

import importlib

from .base import (Engine, EngineUnavailable, HandlerError, IncompleteInput, ServiceLoadError, SourceFile,
                   find_sources)

__all__ = ["Engine", "EngineUnavailable", "HandlerError", "IncompleteInput", "ServiceLoadError", "SourceFile",
           "ENGINE_NAMES", "find_sources", "get_engine"]

_BACKENDS = {"lupa": "petrel.engines.lupa_engine", "lark": "petrel.engines.lark_engine"}
ENGINE_NAMES = ("lupa", "lark", "auto")


def get_engine(name: str) -> type[Engine]:
    """The engine class called ``name``; EngineUnavailable says why one cannot be used."""
    if name == "auto":
        try:
            return get_engine("lupa")
        except EngineUnavailable as lupa_error:
            try:
                return get_engine("lark")
            except EngineUnavailable as lark_error:
                raise EngineUnavailable(f"no engine available: {lupa_error}; {lark_error}") from None
    module_name = _BACKENDS.get(name)
    if module_name is None:
        raise EngineUnavailable(f"unknown engine '{name}' (expected lupa, lark or auto)")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise EngineUnavailable(f"the {name} engine is not available in this build") from None
        raise EngineUnavailable(f"the {name} engine needs the Python package '{exc.name}', "
                                f"which is not installed") from None
    return module.ENGINE

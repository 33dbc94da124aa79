"""Libraries Lua code sees, written once in Python and adapted by every engine.

:mod:`petrel.libs.base` is the interface (Library, Export, LibraryContext); each builtin library is
one module here. :class:`LibraryRegistry` holds the libraries of one server: the builtins plus the
native ones ``petrel.load_lib(name)`` imports from the lib search path.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from typing import Iterable

from .base import Export, Library, LibraryContext, LuaRuntimeError, ObjectType, lua_type_name

__all__ = ["Export", "Library", "LibraryContext", "LibraryRegistry", "LuaRuntimeError", "ObjectType",
           "builtin_libraries", "lua_type_name"]

log = logging.getLogger("petrel.libs")


def builtin_libraries() -> list[Library]:
    from . import (base64_lib, hash_lib, http_client_lib, json_lib, log_lib, metric_lib, petrel_lib,
                   redis_lib, shared_lib)
    return [petrel_lib.library, metric_lib.library, base64_lib.library, hash_lib.library,
            log_lib.library, http_client_lib.library, http_client_lib.http2_library,
            shared_lib.library, redis_lib.library, json_lib.library]


class LibraryRegistry:
    """The libraries of one server. ``version`` grows with each load so engines can catch up states."""

    def __init__(self, ctx: LibraryContext, builtins: Iterable[Library] | None = None) -> None:
        self.ctx = ctx
        ctx.libraries = self
        self.libraries: list[Library] = []
        self.version = 0
        self.native_files: dict[str, str] = {}   # native library name -> the file it came from
        self._object_types: dict[type, ObjectType | None] = {}   # cache of find_object_type
        for library in builtins if builtins is not None else builtin_libraries():
            self.register(library)

    def register(self, library: Library) -> None:
        if any(existing.name == library.name for existing in self.libraries):
            return
        for hook in library.on_load:
            hook(self.ctx)
        self.libraries.append(library)
        self._object_types.clear()
        self.version += 1

    def find_object_type(self, value: object) -> ObjectType | None:
        kind = type(value)
        try:
            return self._object_types[kind]
        except KeyError:
            pass
        found = None
        for library in self.libraries:
            found = library.object_type(value)
            if found is not None:
                break
        self._object_types[kind] = found
        return found

    def load_native(self, name: str) -> Library:
        """Import the Python module ``name`` from the lib search path and register its ``library``."""
        for library in self.libraries:
            if library.name == name:
                return library
        if not name.replace("_", "a").isalnum():
            raise LuaRuntimeError(f"load_lib: invalid library name '{name}'")
        for directory in self.ctx.lib_search_path:
            for candidate in (os.path.join(directory, name + ".py"),
                              os.path.join(directory, name, "__init__.py")):
                if os.path.isfile(candidate):
                    library = self._import(name, candidate)
                    self.register(library)
                    self.native_files[name] = candidate
                    log.info("registered native library '%s' from %s", name, candidate)
                    return library
        searched = ":".join(self.ctx.lib_search_path) or "(empty)"
        raise LuaRuntimeError(f"load_lib: library '{name}' not found in lib search path {searched}")

    def _import(self, name: str, path: str) -> Library:
        module_name = f"petrel_native_{name}"
        spec = importlib.util.spec_from_file_location(
            module_name, path,
            submodule_search_locations=[os.path.dirname(path)] if path.endswith("__init__.py") else None)
        if spec is None or spec.loader is None:
            raise LuaRuntimeError(f"load_lib: cannot import '{path}'")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(module_name, None)
            log.error("load_lib '%s': importing %s failed", name, path, exc_info=True)
            raise LuaRuntimeError(f"load_lib: importing '{path}' failed: {exc}") from None
        library = getattr(module, "library", None)
        if not isinstance(library, Library):
            raise LuaRuntimeError(f"load_lib: '{path}' defines no 'library' (a petrel.libs.Library)")
        if library.name != name:
            raise LuaRuntimeError(f"load_lib: '{path}' defines library '{library.name}', not '{name}'")
        return library

    def forget_native(self) -> None:
        """Unload the native libraries and forget their modules (devmode, when one's files
        changed): the next ``petrel.load_lib`` imports the files again."""
        for name in list(self.native_files):
            library = next((lib for lib in self.libraries if lib.name == name), None)
            if library is not None:
                for hook in library.on_unload:
                    try:
                        hook(self.ctx)
                    except Exception:
                        log.exception("unloading library '%s' failed", name)
                self.libraries.remove(library)
            module_name = f"petrel_native_{name}"
            for key in [k for k in sys.modules if k == module_name or k.startswith(module_name + ".")]:
                del sys.modules[key]
        if self.native_files:
            self.native_files.clear()
            self._object_types.clear()
            self.version += 1

    def unload_all(self) -> None:
        for library in reversed(self.libraries):
            for hook in library.on_unload:
                try:
                    hook(self.ctx)
                except Exception:
                    log.exception("unload hook of library '%s' failed", library.name)

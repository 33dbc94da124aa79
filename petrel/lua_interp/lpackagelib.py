"""The package library and ``require`` (the loadlib of this interpreter; Lua modules only, no C modules).

Opened by the standalone interpreter only: handler states get ``require`` from the sandbox policy.
"""
from __future__ import annotations

import os

from .lauxlib import NOVALUE, check_string, needs_runtime, new_lib, opt_string
from .lobject import LuaError, LuaTable
from .llex import skip_first_comment
from .lvm import call

LUA_PATH_DEFAULT = "/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;" \
    "/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;./?.lua;./?/init.lua"


def _searchpath(name, path, sep=".", rep="/"):
    if sep:
        name = name.replace(sep, rep)
    tried = []
    for template in path.split(";"):
        if not template:
            continue
        filename = template.replace("?", name)
        try:
            with open(filename.encode("latin-1"), "rb"):
                return filename, None
        except OSError:
            tried.append("\n\tno file '%s'" % filename)
    return None, "".join(tried)


def _make(rt, package: LuaTable):
    def searchpath(name=NOVALUE, path=NOVALUE, sep=None, rep=None, *_):
        name = check_string(name, 1, "searchpath")
        path = check_string(path, 2, "searchpath")
        sep = opt_string(sep, 3, "searchpath", ".")
        rep = opt_string(rep, 4, "searchpath", "/")
        found, err = _searchpath(name, path, sep, rep)
        if found is None:
            return (None, err)
        return (found,)

    def searcher_preload(name=NOVALUE, *_):
        name = check_string(name, 1, "searcher_preload")
        preload = package.rawget("preload")
        if type(preload) is not LuaTable:
            raise LuaError("'package.preload' must be a table")
        v = preload.rawget(name)
        if v is None:
            return ("\n\tno field package.preload['%s']" % name,)
        return (v, ":preload:")

    def searcher_lua(name=NOVALUE, *_):
        name = check_string(name, 1, "searcher_Lua")
        path = package.rawget("path")
        if type(path) is not str:
            raise LuaError("'package.path' must be a string")
        filename, err = _searchpath(name, path)
        if filename is None:
            return (err,)
        try:
            with open(filename.encode("latin-1"), "rb") as f:
                src = skip_first_comment(f.read())
        except OSError as e:
            raise LuaError("error loading module '%s' from file '%s':\n\t%s" % (name, filename, e))
        try:
            fn = rt.loader(src.decode("latin-1"), "@" + filename)
        except LuaError as e:
            raise LuaError("error loading module '%s' from file '%s':\n\t%s" % (name, filename, e.value))
        return (fn, filename)

    def require(name=NOVALUE, *_):
        name = check_string(name, 1, "require")
        loaded = package.rawget("loaded")
        v = loaded.rawget(name) if type(loaded) is LuaTable else None
        if v is not None and v is not False:
            return (v,)
        searchers = package.rawget("searchers")
        if type(searchers) is not LuaTable:
            raise LuaError("'package.searchers' must be a table")
        msg = []
        i = 1
        while True:
            searcher = searchers.rawget(i)
            if searcher is None:
                raise LuaError("module '%s' not found:%s" % (name, "".join(msg)))
            r = call(searcher, name)
            loader = r[0] if r else None
            if callable(loader) and type(loader) is not LuaTable:
                extra = r[1] if len(r) > 1 else None
                break
            if type(loader) is str:
                msg.append(loader)
            i += 1
        res = call(loader, name, extra)
        value = res[0] if res else None
        if value is not None:
            loaded.rawset(name, value)
        elif loaded.rawget(name) is None:
            loaded.rawset(name, True)
        return (loaded.rawget(name), extra)

    return searchpath, searcher_preload, searcher_lua, require


def open_package(rt, G: LuaTable) -> LuaTable:
    package = G.rawget("package")
    if type(package) is not LuaTable:
        package = LuaTable()
        G.rawset("package", package)
    loaded = package.rawget("loaded")
    if type(loaded) is not LuaTable:
        loaded = LuaTable()
        package.rawset("loaded", loaded)
    searchpath, s_preload, s_lua, require = _make(rt, package)
    lib = new_lib(rt, {"searchpath": searchpath}, "package")
    package.rawset("searchpath", lib.rawget("searchpath"))
    package.rawset("path", os.environ.get("LUA_PATH_5_4", os.environ.get("LUA_PATH", LUA_PATH_DEFAULT))
                   .replace(";;", ";" + LUA_PATH_DEFAULT + ";"))
    package.rawset("cpath", "")
    package.rawset("config", "/\n;\n?\n!\n-\n")
    package.rawset("preload", LuaTable())
    searchers = LuaTable()
    searchers.rawset(1, s_preload)
    searchers.rawset(2, s_lua)
    package.rawset("searchers", searchers)
    package.rawset("loaded", loaded)
    loaded.rawset("package", package)
    G.rawset("require", new_lib(rt, {"require": require}).rawget("require"))
    return package

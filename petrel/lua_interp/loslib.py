"""The os library (loslib.c's): time, clock, date, difftime and getenv for every state; exit,
remove, rename, tmpname, execute and setlocale only for the lua command (open_os_standalone)."""
from __future__ import annotations

import os
import time

from .lauxlib import (NOVALUE, arg_error, check_integer, check_string, needs_runtime, new_lib, opt_string,
                      type_error)
from .lobject import LuaError, LuaTable, tointeger

INT_MAX = 0x7FFFFFFF
INT_MIN = -0x80000000
# LUA_STRFTIMEOPTIONS (C99): one-character conversions, then the two-character E and O ones
STRFTIME_OPTIONS = (set("aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%"),
                    {"Ec", "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe", "OH", "OI", "Om", "OM", "OS", "Ou",
                     "OU", "OV", "Ow", "OW", "Oy"})


def _getfield(rt, t, key, default, delta):
    v = rt.index(t, key)
    res = tointeger(v) if type(v) in (int, float, str) else None
    if res is None:
        if v is not None:
            raise LuaError("field '%s' is not an integer" % key)
        if default < 0:
            raise LuaError("field '%s' missing in date table" % key)
        return default
    if not (res - delta <= INT_MAX if res >= 0 else INT_MIN + delta <= res):
        raise LuaError("field '%s' is out-of-bound" % key)
    return res - delta


def _setallfields(t, tm):
    for key, value in (("year", tm.tm_year), ("month", tm.tm_mon), ("day", tm.tm_mday),
                       ("hour", tm.tm_hour), ("min", tm.tm_min), ("sec", tm.tm_sec),
                       ("yday", tm.tm_yday), ("wday", (tm.tm_wday + 1) % 7 + 1)):
        t.rawset(key, value)
    if tm.tm_isdst >= 0:
        t.rawset("isdst", tm.tm_isdst > 0)


@needs_runtime
def os_time(rt, t=None, *_):
    if t is None:
        return (int(time.time()),)
    if type(t) is not LuaTable:
        type_error(1, "time", "table", t)
    year = _getfield(rt, t, "year", -1, 1900)
    month = _getfield(rt, t, "month", -1, 1)
    day = _getfield(rt, t, "day", -1, 0)
    hour = _getfield(rt, t, "hour", 12, 0)
    minute = _getfield(rt, t, "min", 0, 0)
    sec = _getfield(rt, t, "sec", 0, 0)
    isdst = rt.index(t, "isdst")
    dst = -1 if isdst is None else (0 if isdst is False else 1)
    try:
        # mktime normalises out-of-range fields (month 14, day 0...) as C's does
        stamp = int(time.mktime((year + 1900, month + 1, day, hour, minute, sec, 0, 0, dst)))
        _setallfields(t, time.localtime(stamp))
    except (OverflowError, ValueError, OSError):
        raise LuaError("time result cannot be represented in this installation")
    if stamp == -1:
        raise LuaError("time result cannot be represented in this installation")
    return (stamp,)


def os_clock(*_):
    return (time.process_time(),)


def _checktime(v, n, fname):
    return check_integer(v, n, fname)


def os_difftime(a=NOVALUE, b=NOVALUE, *_):
    t1 = _checktime(a, 1, "difftime")
    t2 = _checktime(b, 2, "difftime")
    return (float(t1 - t2),)


def os_date(fmt=None, t=None, *_):
    s = opt_string(fmt, 1, "date", "%c")
    stamp = int(time.time()) if t is None else _checktime(t, 2, "date")
    utc = s.startswith("!")
    if utc:
        s = s[1:]
    try:
        tm = time.gmtime(stamp) if utc else time.localtime(stamp)
    except (OverflowError, ValueError, OSError):
        raise LuaError("date result cannot be represented in this installation")
    if s == "*t":
        res = LuaTable()
        _setallfields(res, tm)
        return (res,)
    out = []
    i = 0
    n = len(s)
    one, two = STRFTIME_OPTIONS
    while i < n:
        c = s[i]
        if c != "%":
            j = s.find("%", i)
            if j < 0:
                j = n
            out.append(s[i:j])
            i = j
            continue
        i += 1
        if i < n and s[i] in one:
            spec = s[i]
        elif i + 1 < n and s[i:i + 2] in two:
            spec = s[i:i + 2]
        else:
            arg_error(1, "date", "invalid conversion specifier '%%%s'" % s[i:])
        out.append(time.strftime("%" + spec, tm))
        i += len(spec)
    return ("".join(out),)


def os_getenv(name=NOVALUE, *_):
    return (os.environ.get(check_string(name, 1, "getenv")),)


OS_FUNCS = {
    "clock": os_clock,
    "date": os_date,
    "difftime": os_difftime,
    "getenv": os_getenv,
    "time": os_time,
}


def open_os(rt) -> LuaTable:
    return new_lib(rt, OS_FUNCS, "os")


def _fileresult(ok, e: OSError | None, name=None):
    if ok:
        return (True,)
    msg = e.strerror or str(e)
    return (None, "%s: %s" % (name, msg) if name is not None else msg, e.errno or 0)


def os_remove(name=NOVALUE, *_):
    fname = check_string(name, 1, "remove")
    try:
        if os.path.isdir(fname) and not os.path.islink(fname):
            os.rmdir(fname)   # C's remove() takes an empty directory too
        else:
            os.remove(fname)
    except OSError as e:
        return _fileresult(False, e, fname)
    return (True,)


def os_rename(a=NOVALUE, b=NOVALUE, *_):
    src = check_string(a, 1, "rename")
    dst = check_string(b, 2, "rename")
    try:
        os.rename(src, dst)
    except OSError as e:
        return _fileresult(False, e, src)
    return (True,)


def os_tmpname(*_):
    import tempfile
    try:
        fd, name = tempfile.mkstemp(prefix="lua_")
        os.close(fd)
    except OSError:
        raise LuaError("unable to generate a unique filename")
    return (name,)


def os_execute(cmd=None, *_):
    if cmd is None:
        return (True,)
    import subprocess
    import sys
    command = check_string(cmd, 1, "execute")
    sys.stdout.flush()
    try:
        code = subprocess.call(command, shell=True)
    except OSError as e:
        return (None, "exit", e.errno or 1)
    if code < 0:
        return (None, "signal", -code)
    return (True if code == 0 else None, "exit", code)


@needs_runtime
def os_exit(rt, status=None, close=None, *_):
    import sys
    if status is None or status is True:
        code = 0
    elif status is False:
        code = 1
    else:
        code = check_integer(status, 1, "exit")
    if close is not None and close is not False:
        from .lgc import close_state
        close_state(rt)     # lua_close first: the finalizers run
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except (OSError, ValueError):
            pass
    os._exit(code & 0xFF)


_LC_CATEGORIES = ("all", "collate", "ctype", "monetary", "numeric", "time")


def os_setlocale(locale=None, category=None, *_):
    """Only the C locale exists here (numbers always use '.'): a query or a request for "C",
    "POSIX" or the native "" answers "C"; any other locale cannot be set (nil)."""
    loc = None if locale is None else check_string(locale, 1, "setlocale")
    cat = opt_string(category, 2, "setlocale", "all")
    if cat not in _LC_CATEGORIES:
        arg_error(2, "setlocale", "invalid option '%s'" % cat)
    if loc is None or loc in ("C", "POSIX", ""):
        return ("C",)
    return (None,)


OS_STANDALONE_FUNCS = {
    "execute": os_execute,
    "exit": os_exit,
    "remove": os_remove,
    "rename": os_rename,
    "setlocale": os_setlocale,
    "tmpname": os_tmpname,
}


def open_os_standalone(rt, os_table: LuaTable):
    """The lua command's os: the functions that reach the process and the file system."""
    extra = new_lib(rt, OS_STANDALONE_FUNCS, "os")
    for k, v in extra.items():
        os_table.rawset(k, v)

"""The os library subset a server needs: time, clock, date, difftime, getenv."""
from __future__ import annotations

import calendar
import os
import time

from .lauxlib import NOVALUE, arg_error, check_integer, check_number, new_lib, opt_integer
from .lobject import LuaError, LuaTable


def os_time(t=None, *_):
    if t is None:
        return (int(time.time()),)
    if type(t) is not LuaTable:
        arg_error(1, "time", "table expected, got %s" % ("nil" if t is None else type(t).__name__))

    def field(k, default=None):
        v = t.rawget(k)
        if v is None:
            if default is None:
                raise LuaError("field '%s' missing in date table" % k)
            return default
        if type(v) is float and v.is_integer():
            v = int(v)
        if type(v) is not int:
            raise LuaError("field '%s' is not an integer" % k)
        return v
    year, month, day = field("year"), field("month"), field("day")
    hour, minute, sec = field("hour", 12), field("min", 0), field("sec", 0)
    isdst = t.rawget("isdst")
    tt = (year, month, day, hour, minute, sec, 0, 0, -1 if isdst is None else (1 if isdst else 0))
    try:
        return (int(time.mktime(tt)),)
    except (OverflowError, ValueError):
        raise LuaError("time result cannot be represented in this installation")


def os_clock(*_):
    return (time.process_time(),)


def os_difftime(a=NOVALUE, b=None, *_):
    return (float(check_number(a, 1, "difftime") - (check_number(b, 2, "difftime") if b is not None else 0)),)


def _tm_table(tm):
    t = LuaTable()
    for k, v in (("year", tm.tm_year), ("month", tm.tm_mon), ("day", tm.tm_mday), ("hour", tm.tm_hour),
                 ("min", tm.tm_min), ("sec", tm.tm_sec), ("wday", (tm.tm_wday + 1) % 7 + 1),
                 ("yday", tm.tm_yday), ("isdst", bool(tm.tm_isdst > 0))):
        t.rawset(k, v)
    return t


def os_date(fmt=None, t=None, *_):
    fmt = "%c" if fmt is None else fmt
    if type(fmt) is not str:
        arg_error(1, "date", "string expected")
    stamp = time.time() if t is None else check_integer(t, 2, "date")
    utc = fmt.startswith("!")
    if utc:
        fmt = fmt[1:]
    tm = time.gmtime(stamp) if utc else time.localtime(stamp)
    if fmt.startswith("*t"):
        return (_tm_table(tm),)
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(fmt):
            raise LuaError("bad argument #1 to 'date' (invalid conversion specifier '%')")
        spec = fmt[i + 1]
        if spec in "EO" and i + 2 < len(fmt):
            spec = fmt[i + 1:i + 3]
        if spec not in _VALID:
            raise LuaError("bad argument #1 to 'date' (invalid conversion specifier '%%%s')" % spec)
        out.append(time.strftime("%" + spec, tm))
        i += 1 + len(spec)
    return ("".join(out),)


_VALID = set("aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%") | {"Ec", "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe",
                                                         "OH", "OI", "Om", "OM", "OS", "Ou", "OU", "OV",
                                                         "Ow", "OW", "Oy"}


def os_getenv(name=None, *_):
    if type(name) is not str:
        arg_error(1, "getenv", "string expected")
    v = os.environ.get(name)
    return (v,)


OS_FUNCS = {
    "clock": os_clock,
    "date": os_date,
    "difftime": os_difftime,
    "getenv": os_getenv,
    "time": os_time,
}


def open_os(rt) -> LuaTable:
    return new_lib(rt, OS_FUNCS, "os")

"""The math library (the lmathlib of this interpreter)."""
from __future__ import annotations

import math
import random as _random

from .lauxlib import NOVALUE, arg_error, check_integer, check_number, needs_runtime, new_lib, type_error
from .lobject import LuaError, LuaTable, MAXINT, MININT, float_to_int, tointeger, type_name, wrap
from .lvm import NAN


def _num(v, n, fname):
    return check_number(v, n, fname)


def math_abs(x=NOVALUE, *_):
    if type(x) is float:
        return (abs(x),)
    if type(x) is int and x != MININT:
        return (abs(x),)
    x = _num(x, 1, "abs")
    if type(x) is int:
        return (wrap(abs(x)),)
    return (abs(x),)


def _f2i_or_float(f):
    i = float_to_int(f) if not (math.isinf(f) or f != f) else None
    return f if i is None else i


def math_floor(x=NOVALUE, *_):
    x = _num(x, 1, "floor")
    if type(x) is int:
        return (x,)
    if math.isinf(x) or x != x:
        return (x,)
    return (_f2i_or_float(float(math.floor(x))),)


def math_ceil(x=NOVALUE, *_):
    x = _num(x, 1, "ceil")
    if type(x) is int:
        return (x,)
    if math.isinf(x) or x != x:
        return (x,)
    return (_f2i_or_float(float(math.ceil(x))),)


def math_fmod(a=NOVALUE, b=NOVALUE, *_):
    a = _num(a, 1, "fmod")
    b = _num(b, 2, "fmod")
    if type(a) is int and type(b) is int:
        if b == 0:
            arg_error(2, "fmod", "zero")
        if b == -1:
            return (0,)
        r = abs(a) % abs(b)
        return (-r if a < 0 else r,)
    a, b = float(a), float(b)
    if b == 0 or math.isinf(a) or a != a or b != b:
        return (NAN if not (a != a or b != b) else a + b,)
    if math.isinf(b):
        return (a,)
    return (math.fmod(a, b),)


def math_modf(x=NOVALUE, *_):
    x = _num(x, 1, "modf")
    if type(x) is int:
        return (x, 0.0)
    if math.isinf(x):
        return (x, 0.0)
    ip = float(math.ceil(x)) if x < 0 else float(math.floor(x)) if x == x else x
    return (_f2i_or_float(ip), 0.0 if x == ip else x - ip)


def math_sqrt(x=NOVALUE, *_):
    x = float(_num(x, 1, "sqrt"))
    if x < 0:
        return (NAN,)
    return (math.sqrt(x),)


def _unary(name, fn):
    def f(x=NOVALUE, *_):
        x = float(_num(x, 1, name))
        try:
            return (fn(x),)
        except (ValueError, OverflowError):
            if fn is math.exp:
                return (math.inf,)
            return (NAN,)
    f.__name__ = "math_" + name
    return f


def math_log(x=NOVALUE, base=None, *_):
    x = float(_num(x, 1, "log"))
    if base is None:
        fn = math.log
    else:
        b = float(_num(base, 2, "log"))
        if b == 2.0:
            fn = math.log2
        elif b == 10.0:
            fn = math.log10
        else:
            def fn(v):
                return _ln(v) / _ln(b)
    try:
        return (_safe_log(fn, x),)
    except ZeroDivisionError:
        return (NAN,)


def _ln(v):
    return _safe_log(math.log, v)


def _safe_log(fn, x):
    if x == 0:
        return -math.inf
    if x < 0 or x != x:
        return NAN if x == x else x
    if math.isinf(x):
        return math.inf
    return fn(x)


def math_atan(y=NOVALUE, x=None, *_):
    y = float(_num(y, 1, "atan"))
    x = 1.0 if x is None else float(_num(x, 2, "atan"))
    return (math.atan2(y, x),)


def math_tointeger(*args):
    if not args:
        arg_error(1, "tointeger", "value expected")
    v = args[0]
    return (tointeger(v) if type(v) in (int, float, str) else None,)


def math_type(*args):
    if not args:
        arg_error(1, "type", "value expected")
    v = args[0]
    if type(v) is int:
        return ("integer",)
    if type(v) is float:
        return ("float",)
    return (None,)


def math_ult(a=NOVALUE, b=NOVALUE, *_):
    a = check_integer(a, 1, "ult")
    b = check_integer(b, 2, "ult")
    return ((a & 0xFFFFFFFFFFFFFFFF) < (b & 0xFFFFFFFFFFFFFFFF),)


def _minmax(name, args, better):
    if not args:
        arg_error(1, name, "value expected")
    best = _num(args[0], 1, name)
    for i, v in enumerate(args[1:], 2):
        v = _num(v, i, name)
        if better(v, best):
            best = v
    return (best,)


def math_max(*args):
    return _minmax("max", args, lambda a, b: a > b)


def math_min(*args):
    return _minmax("min", args, lambda a, b: a < b)


@needs_runtime
def math_random(rt, *args):
    rng = _rng(rt)
    if not args:
        return (rng.random(),)
    if len(args) == 1:
        low, up = 1, check_integer(args[0], 1, "random")
        if up == 0:
            return (wrap(rng.getrandbits(64)),)
    elif len(args) == 2:
        low = check_integer(args[0], 1, "random")
        up = check_integer(args[1], 2, "random")
    else:
        raise LuaError("wrong number of arguments")
    if low > up:
        arg_error(1, "random", "interval is empty")
    return (rng.randint(low, up),)


@needs_runtime
def math_randomseed(rt, *args):
    rng = _rng(rt)
    if args:
        n = args[0]
        rng.seed(n if type(n) in (int, float) else 0)
        return ()
    seed = _random.getrandbits(63)
    rng.seed(seed)
    return (seed, 0)


def _rng(rt):
    r = getattr(rt, "rng", None)
    if r is None:
        r = rt.rng = _random.Random()
    return r


MATH_FUNCS = {
    "abs": math_abs,
    "ceil": math_ceil,
    "floor": math_floor,
    "fmod": math_fmod,
    "modf": math_modf,
    "sqrt": math_sqrt,
    "exp": _unary("exp", math.exp),
    "sin": _unary("sin", math.sin),
    "cos": _unary("cos", math.cos),
    "tan": _unary("tan", math.tan),
    "asin": _unary("asin", math.asin),
    "acos": _unary("acos", math.acos),
    "atan": math_atan,
    "log": math_log,
    "tointeger": math_tointeger,
    "type": math_type,
    "ult": math_ult,
    "max": math_max,
    "min": math_min,
    "random": math_random,
    "randomseed": math_randomseed,
}


def open_math(rt) -> LuaTable:
    lib = new_lib(rt, MATH_FUNCS, "math")
    lib.rawset("pi", math.pi)
    lib.rawset("huge", math.inf)
    lib.rawset("maxinteger", MAXINT)
    lib.rawset("mininteger", MININT)
    return lib

"""The math library (the lmathlib of this interpreter).

random/randomseed are lmathlib.c's xoshiro256** generator, seeded the same way, so a
seeded sequence equals C Lua's (integers, floats and the projection into a range).
"""
from __future__ import annotations

import math
import time

from .lauxlib import NOVALUE, arg_error, check_integer, check_number, needs_runtime, new_lib, opt_integer
from .lobject import LuaError, LuaTable, MAXINT, MININT, float_to_int, tointeger, wrap
from .lvm import NAN, register_intrinsics

M64 = 0xFFFFFFFFFFFFFFFF
# glibc's NaNs differ in sign: x86's default NaN (printed "-nan") from sqrt, sin, fmod...,
# a positive one from log, asin and acos outside their domains.
POS_NAN = math.nan


def _pushnumint(d: float):
    """lmathlib's pushnumint: an integer when the float fits, else the float."""
    i = float_to_int(d) if d == d and not math.isinf(d) else None
    return d if i is None else i


def math_abs(x=NOVALUE, *_):
    if type(x) is int:
        return (wrap(-x) if x < 0 else x,)
    return (abs(float(check_number(x, 1, "abs"))),)


def math_floor(x=NOVALUE, *_):
    if type(x) is int:
        return (x,)
    d = float(check_number(x, 1, "floor"))
    return (_pushnumint(float(math.floor(d))) if d == d and not math.isinf(d) else d,)


def math_ceil(x=NOVALUE, *_):
    if type(x) is int:
        return (x,)
    d = float(check_number(x, 1, "ceil"))
    return (_pushnumint(float(math.ceil(d))) if d == d and not math.isinf(d) else d,)


def _c_fmod(a: float, b: float) -> float:
    """C's fmod: the remainder with the dividend's sign; NaN for an infinite dividend or zero divisor."""
    if a != a or b != b:
        return a + b
    if math.isinf(a) or b == 0:
        return NAN
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def math_fmod(a=NOVALUE, b=NOVALUE, *_):
    if type(a) is int and type(b) is int:
        if b == 0:
            arg_error(2, "fmod", "zero")
        if b == -1:
            return (0,)
        r = abs(a) % abs(b)
        return (-r if a < 0 else r,)
    y = float(check_number(b, 2, "fmod"))  # C evaluates fmod's arguments right to left
    x = float(check_number(a, 1, "fmod"))
    return (_c_fmod(x, y),)


def math_modf(x=NOVALUE, *_):
    if type(x) is int:
        return (x, 0.0)
    n = float(check_number(x, 1, "modf"))
    if n != n:
        return (n, n)
    if math.isinf(n):
        ip = n
    else:
        ip = float(math.ceil(n)) if n < 0 else float(math.floor(n))
    return (_pushnumint(ip), 0.0 if n == ip else n - ip)


def _c_call(fn, x, domain_nan):
    try:
        return fn(x)
    except OverflowError:
        return math.inf
    except ValueError:
        return domain_nan


def math_sin(x=NOVALUE, *_):
    return (_c_call(math.sin, float(check_number(x, 1, "sin")), NAN),)


def math_cos(x=NOVALUE, *_):
    return (_c_call(math.cos, float(check_number(x, 1, "cos")), NAN),)


def math_tan(x=NOVALUE, *_):
    return (_c_call(math.tan, float(check_number(x, 1, "tan")), NAN),)


def math_asin(x=NOVALUE, *_):
    return (_c_call(math.asin, float(check_number(x, 1, "asin")), POS_NAN),)


def math_acos(x=NOVALUE, *_):
    return (_c_call(math.acos, float(check_number(x, 1, "acos")), POS_NAN),)


def _c_log(fn, x):
    if x != x:
        return x
    if x == 0:
        return -math.inf
    if x < 0:
        return POS_NAN
    if math.isinf(x):
        return math.inf
    return fn(x)


def math_log(x=NOVALUE, base=None, *_):
    x = float(check_number(x, 1, "log"))
    if base is None:
        return (_c_log(math.log, x),)
    b = float(check_number(base, 2, "log"))
    if b == 2.0:
        return (_c_log(math.log2, x),)
    if b == 10.0:
        return (_c_log(math.log10, x),)
    num, den = _c_log(math.log, x), _c_log(math.log, b)
    try:
        return (num / den,)
    except ZeroDivisionError:
        if num != num or num == 0:
            return (NAN if num == 0 else num,)
        return (math.copysign(math.inf, num) * math.copysign(1.0, den),)


def math_exp(x=NOVALUE, *_):
    x = float(check_number(x, 1, "exp"))
    try:
        return (math.exp(x),)
    except OverflowError:
        return (math.inf,)


def math_sqrt(x=NOVALUE, *_):
    x = float(check_number(x, 1, "sqrt"))
    if x < 0:
        return (NAN,)
    return (math.sqrt(x),)


def math_atan(y=NOVALUE, x=None, *_):
    y = float(check_number(y, 1, "atan"))
    x = 1.0 if x is None else float(check_number(x, 2, "atan"))
    if y != y or x != x:  # the NaN operand itself, sign kept, as C's atan2 returns it
        return (y if y != y else x,)
    return (math.atan2(y, x),)


def math_deg(x=NOVALUE, *_):
    return (float(check_number(x, 1, "deg")) * (180.0 / math.pi),)


def math_rad(x=NOVALUE, *_):
    return (float(check_number(x, 1, "rad")) * (math.pi / 180.0),)


def math_tointeger(x=NOVALUE, *_):
    if x is NOVALUE:
        arg_error(1, "tointeger", "value expected")
    return (tointeger(x) if type(x) in (int, float, str) else None,)


def math_type(x=NOVALUE, *_):
    if x is NOVALUE:
        arg_error(1, "type", "value expected")
    if type(x) is int:
        return ("integer",)
    if type(x) is float:
        return ("float",)
    return (None,)


def math_ult(a=NOVALUE, b=NOVALUE, *_):
    a = check_integer(a, 1, "ult")
    b = check_integer(b, 2, "ult")
    return ((a & M64) < (b & M64),)


@needs_runtime
def math_min(rt, *args):
    if not args:
        arg_error(1, "min", "value expected")
    best = args[0]
    for v in args[1:]:
        if rt.lt(v, best):
            best = v
    return (best,)


@needs_runtime
def math_max(rt, *args):
    if not args:
        arg_error(1, "max", "value expected")
    best = args[0]
    for v in args[1:]:
        if rt.lt(best, v):
            best = v
    return (best,)


# ------------------------------------------------------------------ xoshiro256**
def _rotl(x, n):
    return ((x << n) | (x >> (64 - n))) & M64


class RandomState:
    """Four 64-bit words of xoshiro256** state, as lmathlib.c's RanState."""
    __slots__ = ("s",)

    def __init__(self):
        self.s = [0, 0, 0, 0]

    def next(self) -> int:
        s = self.s
        s0, s1 = s[0], s[1]
        s2 = s[2] ^ s0
        s3 = s[3] ^ s1
        res = (_rotl((s1 * 5) & M64, 7) * 9) & M64
        s[0] = s0 ^ s3
        s[1] = s1 ^ s2
        s[2] = s2 ^ ((s1 << 17) & M64)
        s[3] = _rotl(s3, 45)
        return res

    def seed(self, n1: int, n2: int):
        self.s = [n1 & M64, 0xFF, n2 & M64, 0]
        for _ in range(16):
            self.next()

    def project(self, ran: int, n: int) -> int:
        """A uniform integer in [0, n] from ran (and more draws when ran falls outside)."""
        if n & (n + 1) == 0:
            return ran & n
        lim = n
        for shift in (1, 2, 4, 8, 16, 32):
            lim |= lim >> shift
        ran &= lim
        while ran > n:
            ran = self.next() & lim
        return ran


def _state(rt) -> RandomState:
    st = getattr(rt, "random_state", None)
    if st is None:
        st = rt.random_state = RandomState()
        st.seed(time.time_ns(), id(rt))
    return st


@needs_runtime
def math_random(rt, *args):
    st = _state(rt)
    rv = st.next()
    if not args:
        return ((rv >> 11) * (0.5 / (1 << 52)),)
    if len(args) == 1:
        low = 1
        up = check_integer(args[0], 1, "random")
        if up == 0:
            return (wrap(rv),)
    elif len(args) == 2:
        low = check_integer(args[0], 1, "random")
        up = check_integer(args[1], 2, "random")
    else:
        raise LuaError("wrong number of arguments")
    if not low <= up:
        arg_error(1, "random", "interval is empty")
    p = st.project(rv, (up - low) & M64)
    return (wrap(p + low),)


@needs_runtime
def math_randomseed(rt, n1=NOVALUE, n2=None, *_):
    st = _state(rt)
    if n1 is NOVALUE:
        a, b = time.time_ns() & MAXINT, id(st) & MAXINT
    else:
        a = check_integer(n1, 1, "randomseed")
        b = opt_integer(n2, 2, "randomseed", 0)
    st.seed(a, b)
    return (wrap(a), wrap(b))


MATH_FUNCS = {
    "abs": math_abs,
    "acos": math_acos,
    "asin": math_asin,
    "atan": math_atan,
    "ceil": math_ceil,
    "cos": math_cos,
    "deg": math_deg,
    "exp": math_exp,
    "tointeger": math_tointeger,
    "floor": math_floor,
    "fmod": math_fmod,
    "ult": math_ult,
    "log": math_log,
    "max": math_max,
    "min": math_min,
    "modf": math_modf,
    "rad": math_rad,
    "sin": math_sin,
    "sqrt": math_sqrt,
    "tan": math_tan,
    "type": math_type,
    "random": math_random,
    "randomseed": math_randomseed,
}


def open_math(rt) -> LuaTable:
    lib = new_lib(rt, MATH_FUNCS, "math")
    register_intrinsics("math", MATH_FUNCS)
    lib.rawset("pi", math.pi)
    lib.rawset("huge", math.inf)
    lib.rawset("maxinteger", MAXINT)
    lib.rawset("mininteger", MININT)
    return lib

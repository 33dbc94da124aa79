"""The runtime behind compiled code (the lvm/ltm of this interpreter).

Compiled code handles the common cases inline (int/float/str operands, plain
tables) and calls a ``Runtime`` method for everything else: coercions,
metamethods, wrap-around, errors.  One Runtime belongs to one state; it holds
what differs between states (string metatable, interrupt and memory hooks).
"""
from __future__ import annotations

import math
import sys
import time
import weakref
from itertools import chain
from types import FunctionType

from . import lgc
from .ldebug import LIB_CODES, TRANSPARENT_CODES
from .lobject import (BoolKey, FALSE_KEY, LuaError, LuaMemoryError, LuaTable, MAXINT, MININT,
                      TRUE_KEY, TailCall, float_to_int, fmt_float, str2number, tostr_number, type_name, wrap)

TRANSPARENT_CODES.update({TailCall.resolve.__code__, TailCall.__iter__.__code__,
                          TailCall.__getitem__.__code__})

BRK = object()          # loop-body functions return this for 'break'
N1 = (None,)
RAWKEYS = frozenset((int, str))
NAN = -math.nan         # what x86 produces for 0/0: a NaN with the sign bit set
INF = math.inf


class GotoJump(Exception):
    """A goto leaving a loop for a label of an enclosing block."""

    def __init__(self, target, index):
        self.target = target
        self.index = index


# Iterator functions with a Python fast path in generic 'for' (filled by lbaselib).
FAST_ITERATORS: dict = {}


def EXC():
    return sys.exc_info()[1]


def tostring_basic(v) -> str:
    t = type(v)
    if t is str:
        return v
    if t is int or t is float:
        return tostr_number(v)
    if v is None:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is LuaTable:
        mt = v.meta
        if mt is not None:
            name = mt.hash.get("__name")
            if type(name) is str:
                return "%s: 0x%08x" % (name, id(v))
        return "table: 0x%08x" % id(v)
    if callable(v):
        return "function: 0x%08x" % id(v)
    return "%s: 0x%08x" % (getattr(t, "lua_type", "userdata"), id(v))


def _tn(v):
    return type_name(v)


def _with(desc):
    return " (%s)" % desc if desc else ""


def call(f, *args) -> tuple:
    """Call any Lua value and return its results as a tuple."""
    if type(f) is FunctionType:
        r = f(*args)
    elif type(f) is LuaTable:
        h = f.meta.hash.get("__call") if f.meta is not None else None
        if h is None:
            lvl = 0 if sys._getframe(1).f_code in LIB_CODES else 1
            raise LuaError("attempt to call a table value", level=lvl)
        r = call(h, f, *args)
    elif callable(f):
        r = f(*args)
    else:
        # called on behalf of a library function (pcall, sort...): Lua adds no position
        lvl = 0 if sys._getframe(1).f_code in LIB_CODES else 1
        raise LuaError("attempt to call a %s value" % type_name(f), level=lvl)
    if type(r) is TailCall:
        return r.resolve()
    return r


_NOT_FUNCTIONS = (type(None), bool, int, float, str)


def callable_table(t) -> bool:
    """Whether calling table t reaches a function through its chain of __call values."""
    for _ in range(200):
        mt = t.meta
        t = mt.hash.get("__call") if mt is not None else None
        if type(t) is not LuaTable:
            return t is not None and callable(t) and type(t) is not bool
    return False


def _lua_callable(self, *args):
    h = self.meta.hash.get("__call") if self.meta is not None else None
    if h is None:
        raise TypeError("'LuaTable' object is not callable")
    if not callable(h):  # Lua retries the call with the __call value: its type is the culprit
        raise TypeError("'%s' object is not callable" % type(h).__name__)
    if type(h) is LuaTable and not callable_table(h):  # Lua names the call site's value
        raise TypeError("'LuaTable' object is not callable")
    if type(h) is FunctionType or type(h) is LuaTable:
        # the metamethod runs as a tail call: a chain of __call values (or a Lua function
        # tail-calling its own callable table) runs in the caller's trampoline, in constant stack
        t = object.__new__(TailCall)
        t.f = h
        t.args = (self,) + args
        return t
    return call(h, self, *args)


# A table with a __call metamethod is callable from compiled code like a function.
LuaTable.__call__ = _lua_callable


def arith_tonumber(v):
    t = type(v)
    if t is int or t is float:
        return v
    if t is str:
        return str2number(v)
    return None


def toint_strict(v):
    """For bitwise ops: int, or float/string with an exact integer value."""
    t = type(v)
    if t is int:
        return v
    if t is float:
        i = float_to_int(v)
        if i is None:
            raise LuaError("number has no integer representation")
        return i
    if t is str:
        n = str2number(v)
        if n is not None:
            return toint_strict(n)
    return None


def _fdiv(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _fmod(a, b):
    if math.isinf(b):
        if a != a or math.isinf(a):
            return NAN
        if (a >= 0) == (b > 0):
            return a
        return b
    if b == 0 or math.isinf(a):
        return NAN
    m = math.fmod(a, b)
    if m != 0 and (m < 0) != (b < 0):
        m += b
    return m


def _fpow(a, b):
    try:
        return math.pow(a, b)
    except OverflowError:
        if a < 0 and b == int(b) and int(b) % 2 == 1:
            return -INF
        return INF
    except ValueError:
        if a == 0 and b < 0:  # C's pow: a pole, signed like zero for odd integral exponents
            odd = b == int(b) and int(b) % 2 == 1
            return math.copysign(INF, a) if odd else INF
        return NAN


def _ffloor_div(a, b):
    q = _fdiv(a, b)
    if math.isinf(q) or q != q:
        return q
    return math.copysign(float(math.floor(q)), q)  # C's floor keeps the sign of a zero result


class Runtime:
    """Per-state runtime: the slow paths of compiled code and the hooks."""

    def __init__(self):
        self.string_meta = None      # set by the string library
        self.gc_state = {"running": True, "mode": "incremental", "pause": 200, "stepmul": 100}
        self.gc_pending = []         # tables found garbage whose __gc is to run (lgc.Finalizer)
        self.type_metas = {}         # debug.setmetatable on a number, boolean, nil, function, thread
        self.interrupt = None
        self.every = 1000
        self.memory_hook = None
        self.mem_limit = None        # bytes, or None: no accounting (see lmem)
        self.mem_big = 65536         # allocations from this size on are counted
        self.mem_held = 0
        self.mem_alloc = 0
        self.mem_ticks = 0
        self.mem_next = 8
        self.mem_time = 0.0
        self.mem_roots = []          # more objects the state holds (the embedder's tables)
        self.loader = None           # facade-provided: (source, chunkname, mode, env) -> function
        self.stdout = None
        self.state = None

    # ------------------------------------------------------------ hooks
    def tick(self):
        """Called every `every` back-edges/calls; returns the next quota."""
        cb = self.interrupt
        if cb is not None:
            cb()
        if self.mem_limit is not None:
            self._mem_tick()
        lgc.tick()
        if self.gc_pending and self.gc_state["running"]:
            lgc.run_finalizers(self)
        return self.every

    def account(self, nbytes):
        """Told before an allocation of about nbytes (big ones only, unless a limit is set)."""
        hook = self.memory_hook
        if hook is not None:
            hook(nbytes)
        if self.mem_limit is not None:
            self.mem_alloc += nbytes
            if self.mem_held + self.mem_alloc > self.mem_limit:
                self.measure_memory(nbytes)

    def set_memory_limit(self, limit):
        self.mem_limit = None if limit is None else max(0, int(limit))
        self.mem_big = 65536 if limit is None else 1024
        self.mem_alloc = 0
        self.mem_ticks = 0
        self.mem_next = 8
        self.mem_time = time.perf_counter()
        if limit is not None:
            self.mem_held = 0
            self.mem_held = self._measure(sys._getframe(1))

    def memory_used(self) -> int:
        """The current estimate: bytes found by the last measurement plus those allocated since."""
        return self.mem_held + self.mem_alloc

    def _measure(self, frame) -> int:
        from .lmem import measure, state_roots
        return measure(state_roots(self, frame))

    def measure_memory(self, pending=0):
        """Walk what the state holds; raise LuaMemoryError if it (plus `pending` bytes about
        to be allocated) passes the limit; schedule the next scheduled measurement."""
        t0 = time.perf_counter()
        held = self._measure(sys._getframe(1))
        t1 = time.perf_counter()
        ticks = max(1, self.mem_ticks)
        rate = max(0, held - self.mem_held) / ticks          # bytes per check-in, observed
        per_tick = max(1e-7, (t0 - self.mem_time) / ticks)   # seconds per check-in
        self.mem_held = held
        self.mem_alloc = pending
        self.mem_ticks = 0
        self.mem_time = t1
        limit = self.mem_limit
        if limit is None:
            return held
        room = limit - held - pending
        n = min(self.mem_next * 2, 1 << 16)
        if rate > 0:
            n = min(n, int(room / (2 * rate)))
        n = max(n, int(5 * (t1 - t0) / per_tick), 1)    # walking takes at most ~1/5 of the run
        self.mem_next = n
        if room < 0:
            raise LuaMemoryError()
        return held

    def _mem_tick(self):
        self.mem_ticks += 1
        self.mem_alloc += self.every * 16   # an allowance for the small objects inline code makes
        if self.mem_ticks >= self.mem_next or self.mem_held + self.mem_alloc > self.mem_limit:
            self.measure_memory()

    # ------------------------------------------------------------ metatables
    def getmeta(self, v):
        t = type(v)
        if t is LuaTable:
            return v.meta
        if t is str:
            return self.string_meta
        # a userdata (a file of the io library) carries its own; other types share one each
        mt = getattr(v, "lua_meta", None)
        if mt is None and self.type_metas:
            mt = self.type_metas.get(type_name(v))
        return mt

    def metamethod(self, v, event):
        t = type(v)
        if t is LuaTable:
            mt = v.meta
        elif t is str:
            mt = self.string_meta
        else:
            mt = self.getmeta(v)
        if mt is None:
            return None
        return mt.hash.get(event)

    # ------------------------------------------------------------ tables
    def newtable(self, pos=(), keyed=None):
        t = LuaTable()
        if pos:
            if None in pos:
                t.hash = {i: v for i, v in enumerate(pos, 1) if v is not None}
            else:
                t.hash = dict(zip(range(1, len(pos) + 1), pos))
            if len(pos) * 16 >= self.mem_big:
                self.account(len(pos) * 16)
        if keyed:
            for k, v in keyed:
                if k is None:
                    raise LuaError("table index is nil")
                if v is not None:
                    t.rawset(k, v)
                elif type(k) is float and k != k:
                    raise LuaError("table index is NaN")
        return t

    def index(self, o, k, desc=None):
        for _ in range(2000):
            if type(o) is LuaTable:
                v = o.hash.get(k) if type(k) is not bool else o.hash.get(TRUE_KEY if k else FALSE_KEY)
                if v is not None:
                    return v
                mt = o.meta
                if mt is None:
                    return None
                h = mt.hash.get("__index")
                if h is None:
                    return None
            else:
                h = self.metamethod(o, "__index")
                if h is None:
                    if type(k) is str and desc is None:
                        desc = None
                    raise LuaError("attempt to index a %s value%s" % (type_name(o), _with(desc)))
            if type(h) is LuaTable or not callable(h):  # not a function: index it in turn
                o = h
                desc = None
                continue
            r = call(h, o, k)
            return r[0] if r else None
        raise LuaError("'__index' chain too long; possible loop")

    def setindex(self, o, k, v, desc=None):
        for _ in range(2000):
            if type(o) is LuaTable:
                mt = o.meta
                if mt is None:
                    o.rawset(k, v)
                    return
                h = mt.hash.get("__newindex")
                if h is None or o.rawget(k) is not None:
                    o.rawset(k, v)
                    return
            else:
                h = self.metamethod(o, "__newindex")
                if h is None:
                    raise LuaError("attempt to index a %s value%s" % (type_name(o), _with(desc)))
            if type(h) is LuaTable or not callable(h):
                o = h
                desc = None
                continue
            call(h, o, k, v)
            return
        raise LuaError("'__newindex' chain too long; possible loop")

    def len(self, o, desc=None):
        if type(o) is str:
            return len(o)
        h = self.metamethod(o, "__len")
        if h is not None:
            r = call(h, o, o)
            return r[0] if r else None
        if type(o) is LuaTable:
            return o.length()
        raise LuaError("attempt to get length of a %s value%s" % (type_name(o), _with(desc)))

    # ------------------------------------------------------------ arithmetic
    def _arith_mt(self, event, a, b, da, db, what="perform arithmetic on"):
        h = self.metamethod(a, event)
        if h is None:
            h = self.metamethod(b, event)
        if h is not None:
            r = call(h, a, b)
            return r[0] if r else None
        if what == "perform bitwise operation on" and type(a) in (int, float) and type(b) in (int, float):
            # luaG_tointerror names the first operand without an integer value
            d = da if type(a) is float and float_to_int(a) is None else db
            raise LuaError("number%s has no integer representation" % _with(d))
        if type(a) in (int, float):
            bad, d = b, db
        else:
            bad, d = a, da
        if what == "perform arithmetic on" and (type(a) is str or type(b) is str):
            # the string library's arithmetic metamethods phrase it this way
            raise LuaError("attempt to %s a '%s' with a '%s'" % (event[2:], type_name(a), type_name(b)))
        raise LuaError("attempt to %s a %s value%s" % (what, type_name(bad), _with(d)))

    def add(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None or (type(a) is str and self.string_meta is None):
            return self._arith_mt("__add", a, b, da, db)
        if type(x) is int and type(y) is int:
            return wrap(x + y)
        return float(x) + float(y)

    def sub(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None:
            return self._arith_mt("__sub", a, b, da, db)
        if type(x) is int and type(y) is int:
            return wrap(x - y)
        return float(x) - float(y)

    def mul(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None:
            return self._arith_mt("__mul", a, b, da, db)
        if type(x) is int and type(y) is int:
            return wrap(x * y)
        return float(x) * float(y)

    def div(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None:
            return self._arith_mt("__div", a, b, da, db)
        return _fdiv(float(x), float(y))

    def mod(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None:
            return self._arith_mt("__mod", a, b, da, db)
        if type(x) is int and type(y) is int:
            if y == 0:
                raise LuaError("attempt to perform 'n%0'")
            return x % y
        return _fmod(float(x), float(y))

    def idiv(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None:
            return self._arith_mt("__idiv", a, b, da, db)
        if type(x) is int and type(y) is int:
            if y == 0:
                raise LuaError("attempt to divide by zero")
            return wrap(x // y)
        return _ffloor_div(float(x), float(y))

    def pow(self, a, b, da=None, db=None):
        x, y = arith_tonumber(a), arith_tonumber(b)
        if x is None or y is None:
            return self._arith_mt("__pow", a, b, da, db)
        return _fpow(float(x), float(y))

    def unm(self, a, da=None):
        x = arith_tonumber(a)
        if x is None:
            h = self.metamethod(a, "__unm")
            if h is not None:
                r = call(h, a, a)
                return r[0] if r else None
            if type(a) is str and self.string_meta is not None:  # the string library's __unm
                raise LuaError("attempt to unm a 'string' with a 'string'")
            raise LuaError("attempt to perform arithmetic on a %s value%s" % (type_name(a), _with(da)))
        if type(x) is int:
            return wrap(-x)
        return -x

    def _bitop(self, event, a, b, da, db):
        # a float without an integer value is tried with metamethods first, as luaT_trybinTM does
        x = a if type(a) is int else (float_to_int(a) if type(a) is float else None)
        y = b if type(b) is int else (float_to_int(b) if type(b) is float else None)
        if x is None or y is None:
            return None, self._arith_mt(event, a, b, da, db, "perform bitwise operation on")
        return (x, y), None

    def band(self, a, b, da=None, db=None):
        xy, r = self._bitop("__band", a, b, da, db)
        return r if xy is None else wrap(xy[0] & xy[1])

    def bor(self, a, b, da=None, db=None):
        xy, r = self._bitop("__bor", a, b, da, db)
        return r if xy is None else wrap(xy[0] | xy[1])

    def bxor(self, a, b, da=None, db=None):
        xy, r = self._bitop("__bxor", a, b, da, db)
        return r if xy is None else wrap(xy[0] ^ xy[1])

    def shl(self, a, b, da=None, db=None):
        xy, r = self._bitop("__shl", a, b, da, db)
        return r if xy is None else shift_left(xy[0], xy[1])

    def shr(self, a, b, da=None, db=None):
        xy, r = self._bitop("__shr", a, b, da, db)
        return r if xy is None else shift_left(xy[0], -xy[1])

    def bnot(self, a, da=None):
        x = a if type(a) is int else (float_to_int(a) if type(a) is float else None)
        if x is None:
            h = self.metamethod(a, "__bnot")
            if h is not None:
                r = call(h, a, a)
                return r[0] if r else None
            if type(a) is float:
                raise LuaError("number%s has no integer representation" % _with(da))
            raise LuaError("attempt to perform bitwise operation on a %s value%s" % (type_name(a), _with(da)))
        return wrap(~x)

    # ------------------------------------------------------------ strings
    def concat(self, a, b, da=None, db=None):
        ta, tb = type(a), type(b)
        if (ta is str or ta is int or ta is float) and (tb is str or tb is int or tb is float):
            if ta is not str:
                a = tostr_number(a)
            if tb is not str:
                b = tostr_number(b)
            if len(a) + len(b) >= self.mem_big:
                self.account(len(a) + len(b))
            return a + b
        h = self.metamethod(a, "__concat")
        if h is None:
            h = self.metamethod(b, "__concat")
        if h is not None:
            r = call(h, a, b)
            return r[0] if r else None
        if ta is str or ta is int or ta is float:
            a, da = b, db
        raise LuaError("attempt to concatenate a %s value%s" % (type_name(a), _with(da)))

    def concatn(self, vals, descs):
        """a .. b .. c ...: operands evaluated left to right, joined as Lua's OP_CONCAT does."""
        try:
            r = "".join(vals)
        except TypeError:
            parts = []
            for v in vals:
                t = type(v)
                if t is str:
                    parts.append(v)
                elif t is int or t is float:
                    parts.append(tostr_number(v))
                else:
                    break
            else:
                r = "".join(parts)
                if len(r) >= self.mem_big:
                    self.account(len(r))
                return r
            # a metamethod or an error: pairwise from the right, as the nested operators would
            r, d = vals[-1], descs[-1]
            for i in range(len(vals) - 2, -1, -1):
                r = self.concat(vals[i], r, descs[i], d)
                d = None
            return r
        if len(r) >= self.mem_big:
            self.account(len(r))
        return r

    # ------------------------------------------------------------ comparison
    def eq(self, a, b):
        if a is b:
            return True
        ta, tb = type(a), type(b)
        if (ta is int or ta is float) and (tb is int or tb is float):
            return a == b
        if ta is LuaTable and tb is LuaTable:
            h = self.metamethod(a, "__eq")
            if h is None:
                h = self.metamethod(b, "__eq")
            if h is None:
                return False
            r = call(h, a, b)
            return bool(r) and r[0] is not None and r[0] is not False
        if ta is not tb:
            return False
        return a == b

    def lt(self, a, b):
        ta, tb = type(a), type(b)
        if (ta is int or ta is float) and (tb is int or tb is float):
            return a < b
        if ta is str and tb is str:
            return a < b
        return self._order("__lt", a, b)

    def le(self, a, b):
        ta, tb = type(a), type(b)
        if (ta is int or ta is float) and (tb is int or tb is float):
            return a <= b
        if ta is str and tb is str:
            return a <= b
        return self._order("__le", a, b)

    def _order(self, event, a, b):
        h = self.metamethod(a, event)
        if h is None:
            h = self.metamethod(b, event)
        if h is not None:
            r = call(h, a, b)
            return bool(r) and r[0] is not None and r[0] is not False
        t1, t2 = type_name(a), type_name(b)
        if t1 == t2:
            raise LuaError("attempt to compare two %s values" % t1)
        raise LuaError("attempt to compare %s with %s" % (t1, t2))

    # ------------------------------------------------------------ loops
    def numfor(self, a, b, c):
        if type(a) is int and type(c) is int:
            if c == 0:
                raise LuaError("'for' step is zero")
            if type(b) is not int:
                lim = self._forlimit(b, c)
                if lim is None:
                    return ()
                b = lim
            stop = b + 1 if c > 0 else b - 1
            if abs(stop - a) <= self.every * abs(c):  # (len() of a range past 2^63 overflows)
                return range(a, stop, c)
            return chain.from_iterable(self._segments(a, stop, c))
        return self._floatfor(a, b, c)

    def _forlimit(self, b, step):
        if type(b) is str and str2number(b) is not None:  # numerals convert, as luaV_tointegerns does
            b = str2number(b)
            if type(b) is int:
                return b
        if type(b) is float:
            if b != b:
                return None
            if b in (INF, -INF):  # as a huge float: clipped, or no iterations
                f = MAXINT + 1 if b > 0 else MININT - 1
            else:
                f = math.floor(b) if step > 0 else math.ceil(b)
            if f > MAXINT:
                return None if step < 0 else MAXINT
            if f < MININT:
                return None if step > 0 else MININT
            return int(f)
        raise LuaError("bad 'for' limit (number expected, got %s)" % type_name(b))

    def _segments(self, a, stop, c):
        span = self.every * c
        if c > 0:
            while a < stop:
                yield range(a, min(a + span, stop), c)
                a += span
                self.tick()
        else:
            while a > stop:
                yield range(a, max(a + span, stop), c)
                a += span
                self.tick()

    def _floatfor(self, a, b, c):
        def num(v, what):
            if type(v) is str and str2number(v) is not None:
                v = str2number(v)
            if type(v) is not int and type(v) is not float:
                raise LuaError("bad 'for' %s (number expected, got %s)" % (what, type_name(v)))
            return float(v)
        lim = num(b, "limit")
        step = num(c, "step")
        i = num(a, "initial value")
        if step == 0:
            raise LuaError("'for' step is zero")
        return self._floatgen(i, lim, step)

    def _floatgen(self, i, lim, step):
        n = 0
        if step > 0:
            while i <= lim:
                yield i
                i += step
                n += 1
                if n >= self.every:
                    n = 0
                    self.tick()
        else:
            while i >= lim:
                yield i
                i += step
                n += 1
                if n >= self.every:
                    n = 0
                    self.tick()

    def genfor(self, n, f=None, s=None, ctl=None, closing=None, *_):
        if closing is not None and closing is not False:
            # the fourth value is closed when the loop ends, however it ends (Lua 5.4)
            self.check_close(closing, "(for state)")
            return self._closing_genfor(n, f, s, ctl, closing)
        fast = FAST_ITERATORS.get(f) if type(f) is FunctionType else None
        if fast is not None:
            it = fast(self, s, ctl, n)
            if it is not None:
                return it
        return self._genfor(n, f, s, ctl)

    def _closing_genfor(self, n, f, s, ctl, closing):
        try:
            yield from self.genfor(n, f, s, ctl)
        except GeneratorExit:   # a break, a return or an error in the loop's body
            self.close(closing, None)
            raise
        except BaseException as e:  # an error of the iterator function
            self.close(closing, e)
            raise
        self.close(closing, None)

    def _genfor(self, n, f, s, ctl):
        k = 0
        every = self.every
        if (type(f) is not FunctionType and not callable(f)) or (
                type(f) is LuaTable and (f.meta is None or f.meta.hash.get("__call") is None)):
            raise LuaError("attempt to call a %s value (for iterator 'for iterator')" % type_name(f))
        while True:
            r = f(s, ctl)
            if type(r) is TailCall:
                r = r.resolve()
            ctl = r[0] if r else None
            if ctl is None:
                return
            if n == 1:
                yield ctl
            elif len(r) == n:
                yield r
            else:
                yield (tuple(r) + (None,) * n)[:n]
            k += 1
            if k >= every:
                k = 0
                self.tick()

    # ------------------------------------------------------------ to-be-closed
    def check_close(self, v, name):
        if v is None or v is False:
            return
        if self.metamethod(v, "__close") is None:
            raise LuaError("variable '%s' got a non-closable value" % name)

    def close(self, v, exc):
        if v is None or v is False:
            return
        h = self.metamethod(v, "__close")
        if h is None or type(h) in _NOT_FUNCTIONS or type(h) is LuaTable and not callable_table(h):
            # the value had a __close when it was declared: Lua calls what is there now
            raise LuaError("attempt to call a %s value (metamethod 'close')" % type_name(h))
        err = None
        if exc is not None:
            if isinstance(exc, LuaError) and not exc.catchable:
                return  # the state is being stopped: no Lua code runs on the way out
            # a coroutine being closed unwinds with no error value
            err = exc.value if isinstance(exc, LuaError) else getattr(exc, "close_value", str(exc))
        call(h, v, err)

    # ------------------------------------------------------------ conversions
    def tostring(self, v) -> str:
        mt = self.getmeta(v)
        if mt is not None:
            h = mt.hash.get("__tostring")
            if h is not None:
                r = call(h, v)
                s = r[0] if r else None
                if type(s) is not str:
                    if type(s) in (int, float):
                        return tostr_number(s)
                    raise LuaError("'__tostring' must return a string")
                return s
        return tostring_basic(v)

    def goto_error(self, flag):  # pragma: no cover - compiler guards this
        raise LuaError("invalid goto")


def shift_left(x, n):
    if n <= -64 or n >= 64:
        return 0
    if n >= 0:
        return wrap((x << n) & 0xFFFFFFFFFFFFFFFF)
    return wrap((x & 0xFFFFFFFFFFFFFFFF) >> -n)


_new = object.__new__


def TD(d):
    """Table constructor with constant string keys (no __init__ frame)."""
    t = _new(LuaTable)
    t.hash = d if None not in d.values() else {k: v for k, v in d.items() if v is not None}
    t.meta = t.keys = None
    return t


def TP(pos):
    """Table constructor with positional items only."""
    t = _new(LuaTable)
    t.meta = t.keys = None
    if pos:
        if None in pos:
            t.hash = {i: v for i, v in enumerate(pos, 1) if v is not None}
        else:
            t.hash = dict(zip(range(1, len(pos) + 1), pos))
    else:
        t.hash = {}
    return t


# The library functions compiled code runs inline when a call's callee is exactly one of them
# (lintrinsics): Lua name -> the function's name in the generated code.  The runtime imports no
# library: each library registers its functions when it is opened (register_intrinsics); a
# name no library registered holds an object that no function is, so the compiled identity
# test fails and the ordinary call runs.
INTRINSIC_NAMES = {"setmetatable": "K_setmetatable", "type": "K_type", "math.abs": "K_abs",
                   "math.floor": "K_floor", "table.insert": "K_tinsert"}
_UNREGISTERED = object()
INTRINSIC_FUNCS = dict.fromkeys(INTRINSIC_NAMES.values(), _UNREGISTERED)


def register_intrinsics(lib: str | None, funcs: dict) -> None:
    """A library's functions (name -> function; lib None: the base library's globals), of
    which the runtime keeps those compiled code may run inline."""
    for name, f in funcs.items():
        slot = INTRINSIC_NAMES.get(name if lib is None else "%s.%s" % (lib, name))
        if slot is not None:
            INTRINSIC_FUNCS[slot] = f


_TYPE_NAMES = {type(None): "nil", bool: "boolean", int: "number", float: "number", str: "string",
               LuaTable: "table", FunctionType: "function"}


def _intrinsics() -> dict:
    """What the inline forms of intrinsic calls use: the library functions as registered, the
    Lua type names of Python types, and the helpers of their fast paths."""
    ns = dict(INTRINSIC_FUNCS)
    ns.update(TN=dict(_TYPE_NAMES), FLOOR=math.floor, PARTIAL=__import__("functools").partial,
              SETMETA=LuaTable.meta.__set__)
    return ns


# The stand-in table of an _ENV that is not a table (load's fourth argument): -> that value.
FOREIGN_ENV = weakref.WeakKeyDictionary()


def unenv(e):
    """The value of _ENV as Lua code reads it: the value given to load, not its stand-in."""
    if type(e) is LuaTable and e.meta is not None and e in FOREIGN_ENV:
        return FOREIGN_ENV[e]
    return e


# Direct calls at tail-call sites running at once, per chunk instance, before a tail call runs
# from the caller's trampoline (see lstat.tailcall_plain): how many Python frames tail calls
# may leave on the stack, per chunk instance.
TDMAX = 48


def namespace() -> dict:
    """Globals for generated chunk code."""
    ns = {
        "LuaTable": LuaTable, "TailCall": TailCall, "CTAB": callable_table, "FT": FunctionType,
        "LIBC": LIB_CODES, "NEW": object.__new__, "UNENV": unenv,
        "N1": N1, "MININT": MININT, "MAXINT": MAXINT, "RAWKEYS": RAWKEYS, "BRK": BRK,
        "GotoJump": GotoJump, "EXC": EXC, "INF": INF, "NAN": NAN, "TD": TD, "TP": TP, "TDMAX": TDMAX,
    }
    ns.update(_intrinsics())
    return ns


_NOT_CALLABLE = __import__("re").compile(r"'(\w+)' object is not callable")
_PYTYPE_TO_LUA = {"NoneType": "nil", "int": "number", "float": "number", "str": "string",
                  "bool": "boolean", "LuaTable": "table"}


# Called with every Python exception (not a LuaError) that error_value turns into a Lua error,
# when set: the fuzz tests use it to find the Python errors that are bugs (all but stack
# overflows, exhausted memory and calls of values that are not functions).
FOREIGN_ERROR_HOOK = None


def error_value(e: BaseException):
    """The Lua error value for any exception escaping Lua code (pcall's view)."""
    if isinstance(e, LuaError):
        return e.value
    if FOREIGN_ERROR_HOOK is not None:
        FOREIGN_ERROR_HOOK(e)
    from .ldebug import callsite_description, frame_position, innermost_lua_frame
    tb = innermost_lua_frame(e.__traceback__)
    pos = (frame_position(tb.tb_frame) + " ") if tb is not None else ""
    if isinstance(e, RecursionError):
        return pos + "stack overflow"
    if isinstance(e, TypeError):
        m = _NOT_CALLABLE.search(str(e))
        if m and tb is not None:
            desc = callsite_description(tb)
            lt = _PYTYPE_TO_LUA.get(m.group(1), "userdata")
            return pos + "attempt to call a %s value%s" % (lt, _with(desc))
    if isinstance(e, MemoryError):
        return "not enough memory"
    return pos + str(e)


def as_lua_error(e: BaseException) -> LuaError:
    """Wrap any exception as a LuaError (keeping LuaErrors as they are)."""
    if isinstance(e, LuaError):
        return e
    err = LuaError(error_value(e), level=0)
    err.__traceback__ = e.__traceback__
    return err

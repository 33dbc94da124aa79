"""Lua values (the lobject/ltable/lstring of this interpreter).

Representation of Lua values in Python:

==========  ===============================================================
nil         ``None``
boolean     ``True`` / ``False``
integer     ``int`` kept in the signed 64-bit range (operations wrap around)
float       ``float``
string      ``str`` with every character below U+0100: one character per byte
            (latin-1).  Binary data round-trips exactly; ``#s`` is the byte count.
table       ``LuaTable`` (one dict; see below)
function    any Python callable; compiled Lua functions are plain Python functions
            taking Lua values positionally and returning a tuple of results
==========  ===============================================================

A function may also return a ``TailCall`` (a pending proper tail call); every
consumer of results (indexing, unpacking, truth test) resolves it, which is what
lets ``return f(x)`` run a million times without growing the Python stack.
"""
from __future__ import annotations

import math
import re

MAXINT = 0x7FFFFFFFFFFFFFFF
MININT = -0x8000000000000000


def wrap(i: int) -> int:
    """Wrap a Python int into Lua's signed 64-bit integer range."""
    if MININT <= i <= MAXINT:
        return i
    return ((i + 0x8000000000000000) & 0xFFFFFFFFFFFFFFFF) - 0x8000000000000000


class LuaError(Exception):
    """A Lua error carrying any Lua value.

    ``LuaError("msg")`` raised by Python code called from Lua gets the position of
    the calling Lua code prepended ("chunk:line: msg"), as luaL_error does.
    ``value`` is the Lua error value; ``traceback`` a Lua-style "stack traceback:" text.
    """

    catchable = True   # False (LuaInterrupt): pcall, xpcall and __close handlers let it through

    def __init__(self, value=None, traceback: str | None = None, *, level: int = 1):
        if level and isinstance(value, str):
            from .ldebug import where_builtin
            value = where_builtin() + value
        super().__init__(value)
        self.value = value
        self.traceback = traceback
        self.lua_traceback_frames = None

    def __str__(self):
        v = self.value
        if isinstance(v, str):
            return v
        if v is None:
            return "nil"
        from .lvm import tostring_basic
        return "(error object is a %s value)" % type_name(v) if isinstance(v, LuaTable) \
            else tostring_basic(v)


class LuaInterrupt(LuaError):
    """A stop no Lua code can catch: pcall and xpcall re-raise it (xpcall's handler does not
    run), pending __close handlers are skipped, and it reaches the caller of ``State.call``.

    The embedder raises it (or a subclass) from the interrupt callback to abort a running
    program for good: a CPU-time limit, a cancelled request.
    """

    catchable = False


class LuaMemoryError(LuaInterrupt):
    """The state's memory limit (``State.set_memory_limit``) was reached: "not enough memory"."""

    def __init__(self, value="not enough memory", traceback: str | None = None, *, level: int = 0):
        super().__init__(value, traceback, level=level)


class LuaSyntaxError(LuaError):
    """A chunk that does not parse; the message reads "chunk:line: message"."""

    def __init__(self, value=None, traceback: str | None = None):
        super().__init__(value, traceback, level=0)


class BoolKey:
    """Table key standing for true/false, which Python dicts would confuse with 1/0."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "BoolKey(%r)" % self.value


TRUE_KEY = BoolKey(True)
FALSE_KEY = BoolKey(False)


class LuaTable:
    """A Lua table: one dict (``hash``) plus a metatable (``meta``).

    Keys are normalised on the way in: integral floats become ints (so ``t[1.0]``
    is ``t[1]``), booleans become ``TRUE_KEY``/``FALSE_KEY``; nil values are never
    stored.  ``keys`` caches the key order for ``next`` and is dropped whenever a
    new key appears.  The Python-side mapping interface (``t["x"]``) converts
    Python values with ``to_lua``.  ``fin``, set only on a table marked for
    finalization (a metatable with ``__gc``), is its mark (``lgc.Finalizer``).
    """

    __slots__ = ("hash", "meta", "keys", "fin", "__weakref__")

    def __init__(self, hash=None):
        self.hash = {} if hash is None else hash
        self.meta = None
        self.keys = None

    # ---- raw access, Lua semantics
    def rawget(self, k):
        if type(k) is bool:
            k = TRUE_KEY if k else FALSE_KEY
        return self.hash.get(k)

    def rawset(self, k, v):
        tk = type(k)
        if tk is float:
            if k.is_integer():
                k = int(k)
            elif k != k:
                raise LuaError("table index is NaN")
        elif tk is bool:
            k = TRUE_KEY if k else FALSE_KEY
        elif k is None:
            raise LuaError("table index is nil")
        h = self.hash
        if v is None:
            h.pop(k, None)
        else:
            if k not in h:
                self.keys = None
            h[k] = v

    def length(self) -> int:
        """The border Lua's '#' returns for the raw table (no __len)."""
        h = self.hash
        n = len(h)
        if n == 0:
            return 0
        if n in h:
            if n + 1 not in h:
                return n
            # unbound search upwards
            i, j = n, n * 2
            while j in h:
                i, j = j, j * 2
                if j > MAXINT:
                    k = i
                    while k + 1 in h:
                        k += 1
                    return k
        else:
            if 1 not in h:
                return 0
            i, j = 1, n
        while j - i > 1:  # binary search for a border between i (present) and j (absent)
            m = (i + j) // 2
            if m in h:
                i = m
            else:
                j = m
        return i

    def next(self, k):
        """Lua's next(); returns (key, value) or None at the end."""
        h = self.hash
        keys = self.keys
        if keys is None:
            keys = self.keys = (list(h), {})
        order, index = keys
        if k is None:
            i = 0
        else:
            if type(k) is bool:
                k = TRUE_KEY if k else FALSE_KEY
            elif type(k) is float and k.is_integer():
                k = int(k)
            if not index and order:
                index.update((key, n) for n, key in enumerate(order))
            i = index.get(k)
            if i is None:
                raise LuaError("invalid key to 'next'", level=0)  # a runtime error inside 'next': no position
            i += 1
        n = len(order)
        while i < n:
            key = order[i]
            v = h.get(key)
            if v is not None:
                if type(key) is BoolKey:
                    key = key.value
                return key, v
            i += 1
        return None

    def array(self, n=None) -> list:
        """Values t[1..n] (n defaults to the border) as a Python list."""
        if n is None:
            n = self.length()
        g = self.hash.get
        return [g(i) for i in range(1, n + 1)]

    # ---- Python-side convenience (used by the facade and the engines)
    def __getitem__(self, k):
        if isinstance(k, (bytes, str)):
            k = to_lua_string(k)
        return self.rawget(k)

    def __setitem__(self, k, v):
        from .lconvert import to_lua
        self.rawset(to_lua(k), to_lua(v))

    def __delitem__(self, k):
        from .lconvert import to_lua
        self.rawset(to_lua(k), None)

    def __len__(self):
        return self.length()

    def __contains__(self, k):
        return self[k] is not None

    def __iter__(self):
        for k in list(self.hash):
            yield k.value if type(k) is BoolKey else k

    def items(self):
        for k, v in list(self.hash.items()):
            yield (k.value if type(k) is BoolKey else k), v

    def __repr__(self):
        return "<LuaTable 0x%x>" % id(self)


def to_lua_string(s) -> str:
    if isinstance(s, str):
        try:
            s.encode("latin-1")
            if s.isascii():
                return s
        except UnicodeEncodeError:
            pass
        return s.encode("utf-8").decode("latin-1")
    return bytes(s).decode("latin-1")


class TailCall:
    """A pending tail call; resolving it runs the trampoline.

    Consumed exactly once.  It has no ``__bool__``/``__len__`` on purpose: compiled
    code reads one result as ``(r or N1)[0]``, which costs nothing extra for a plain
    tuple and one ``__getitem__`` call for a TailCall; call statements resolve it
    explicitly.  Compiled code builds it with ``object.__new__`` and two slot stores
    (no ``__init__`` frame).
    """

    __slots__ = ("f", "args")

    def __init__(self, f, args):
        self.f = f
        self.args = args

    def resolve(self):
        r = self.f(*self.args)
        while type(r) is TailCall:
            r = r.f(*r.args)
        return r

    def __iter__(self):
        return iter(self.resolve())

    def __getitem__(self, i):
        r = self.f(*self.args)
        while type(r) is TailCall:
            r = r.f(*r.args)
        return (r or (None,))[i]


def results(r) -> tuple:
    """Resolve a call result to a plain tuple."""
    if type(r) is TailCall:
        return r.resolve()
    return r


# ----------------------------------------------------------------- numbers
_DEC_RE = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]*)(\.?)([0-9]*)(?:[eE]([+-]?[0-9]+))?[ \t\n\v\f\r]*\Z")
_HEX_RE = re.compile(r"[ \t\n\v\f\r]*([+-]?)0[xX]([0-9a-fA-F]*)(\.?)([0-9a-fA-F]*)(?:[pP]([+-]?[0-9]+))?[ \t\n\v\f\r]*\Z")


def str2number(s: str):
    """Lua's lua_stringtonumber: an int, a float, or None."""
    m = _HEX_RE.match(s)
    if m:
        sign, ip, dot, fp, exp = m.groups()
        if not ip and not fp:
            return None
        if not dot and exp is None:
            v = int(ip, 16) & 0xFFFFFFFFFFFFFFFF
            return wrap(-v if sign == "-" else v)
        mant = int((ip + fp) or "0", 16)
        if exp and len(exp) > 12:  # (Python's int() refuses over 4300 digits); beyond any range
            exp = exp[0] + "9" * 12 if exp[0] in "+-" else "9" * 12
        e = (int(exp) if exp else 0) - 4 * len(fp)
        if mant >= (1 << 1000):  # keep 64 significant bits, as Lua drops excess digits
            shift = mant.bit_length() - 64
            mant >>= shift
            e += shift
        try:
            v = math.ldexp(float(mant), e)
        except OverflowError:
            v = math.inf
        return -v if sign == "-" else v
    m = _DEC_RE.match(s)
    if m:
        sign, ip, dot, fp, exp = m.groups()
        if not ip and not fp:
            return None
        if not dot and exp is None:
            digits = ip.lstrip("0")
            if len(digits) > 19:  # past 64 bits: a float (int() refuses over 4300 digits)
                return float(sign + ip)
            v = int(sign + (digits or "0"))
            if MININT <= v <= MAXINT:
                return v
            return float(v)
        try:
            return float(s.strip(" \t\n\v\f\r"))
        except ValueError:
            return None
    return None


def fmt_float(x: float) -> str:
    """LUAI_NUMFFORMAT "%.14g", plus ".0" when the result looks like an integer."""
    if x != x:
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    if x == math.inf:
        return "inf"
    if x == -math.inf:
        return "-inf"
    s = "%.14g" % x
    if "." in s or "e" in s or "n" in s or "i" in s:
        return s
    return s + ".0"


def tostr_number(x) -> str:
    if type(x) is int:
        return str(x)
    return fmt_float(x)


def type_name(v) -> str:
    if v is None:
        return "nil"
    t = type(v)
    if t is bool:
        return "boolean"
    if t is int or t is float:
        return "number"
    if t is str:
        return "string"
    if t is LuaTable:
        return "table"
    if callable(v):
        return "function"
    return getattr(t, "lua_type", "userdata")


def float_to_int(f: float):
    """Exact float -> integer conversion (lua_Number to lua_Integer, F2Ieq) or None."""
    if f.is_integer() and -9.3e18 < f < 9.3e18:
        i = int(f)
        if MININT <= i <= MAXINT:
            return i
    return None


def tointeger(v):
    """Convert a number (or numeric string) to an integer if exactly representable."""
    t = type(v)
    if t is int:
        return v
    if t is float:
        return float_to_int(v)
    if t is str:
        n = str2number(v)
        if n is None:
            return None
        return tointeger(n)
    return None


def tonumber(v):
    """Number or coercible string -> number; None otherwise."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is str:
        return str2number(v)
    return None

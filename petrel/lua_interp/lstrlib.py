"""The string library (the lstrlib of this interpreter).

Lua patterns are matched by a port of lstrlib.c's matcher, working on the
latin-1 text that represents Lua strings.  Recursion is bounded like Lua's
(MAXCCALLS): too deep a pattern raises "pattern too complex".
"""
from __future__ import annotations

import math
import struct

from .lauxlib import (NOVALUE, arg_error, check_integer, check_number, check_string, needs_runtime, new_lib,
                      opt_integer, type_error)
from .lobject import LuaError, LuaTable, MAXINT, MININT, fmt_float, tostr_number, type_name, wrap
from .ldebug import lib_function
from .lvm import call

MAXCCALLS = 200
MATCH_TICK = 2000
LUA_MAXCAPTURES = 32
CAP_UNFINISHED = -1
CAP_POSITION = -2
SPECIALS = set("^$*+?.([%-")

_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _cls(pred):
    return frozenset(chr(c) for c in range(256) if pred(c))


_CLASSES = {
    "a": _cls(lambda c: 65 <= c <= 90 or 97 <= c <= 122),
    "c": _cls(lambda c: c < 32 or c == 127),
    "d": _cls(lambda c: 48 <= c <= 57),
    "g": _cls(lambda c: 33 <= c <= 126),
    "l": _cls(lambda c: 97 <= c <= 122),
    "p": _cls(lambda c: 33 <= c <= 126 and not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)),
    "s": _cls(lambda c: c in (9, 10, 11, 12, 13, 32)),
    "u": _cls(lambda c: 65 <= c <= 90),
    "w": _cls(lambda c: 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122),
    "x": _cls(lambda c: 48 <= c <= 57 or 65 <= c <= 70 or 97 <= c <= 102),
    "z": _cls(lambda c: c == 0),  # deprecated, still accepted by 5.4
}


def match_class(c: str, cl: str) -> bool:
    low = cl.lower() if "A" <= cl <= "Z" or "a" <= cl <= "z" else cl
    s = _CLASSES.get(low)
    if s is None:
        return cl == c
    res = c in s
    if "A" <= cl <= "Z":
        return not res
    return res


class MatchState:
    __slots__ = ("src", "pat", "level", "capture", "matchdepth", "rt", "budget")

    def __init__(self, src, pat, rt=None):
        self.src = src
        self.pat = pat
        self.level = 0
        self.capture = []
        self.matchdepth = MAXCCALLS
        self.rt = rt
        self.budget = MATCH_TICK

    def tick(self):
        """Every MATCH_TICK matcher steps: the state's interrupt may stop a runaway backtrack."""
        self.budget = MATCH_TICK
        if self.rt is not None:
            self.rt.tick()

    def reprep(self):
        self.level = 0
        self.capture = []
        self.matchdepth = MAXCCALLS


def class_end(ms, p):
    pat = ms.pat
    n = len(pat)
    c = pat[p]
    p += 1
    if c == "%":
        if p >= n:
            raise LuaError("malformed pattern (ends with '%')")
        return p + 1
    if c == "[":
        if p < n and pat[p] == "^":
            p += 1
        while True:
            if p >= n:
                raise LuaError("malformed pattern (missing ']')")
            cc = pat[p]
            p += 1
            if cc == "%" and p < n:
                p += 1
            if p < n and pat[p] == "]":
                break
            if p >= n:
                raise LuaError("malformed pattern (missing ']')")
        return p + 1
    return p


def match_bracket_class(ms, c, p, ec):
    pat = ms.pat
    sig = True
    if pat[p + 1] == "^":
        sig = False
        p += 1
    p += 1
    while p < ec:
        ch = pat[p]
        if ch == "%":
            p += 1
            if match_class(c, pat[p]):
                return sig
        elif p + 2 < ec and pat[p + 1] == "-":
            if pat[p] <= c <= pat[p + 2]:
                return sig
            p += 2
        elif ch == c:
            return sig
        p += 1
    return not sig


def single_match(ms, s, p, ep):
    if s >= len(ms.src):
        return False
    c = ms.src[s]
    pc = ms.pat[p]
    if pc == ".":
        return True
    if pc == "%":
        return match_class(c, ms.pat[p + 1])
    if pc == "[":
        return match_bracket_class(ms, c, p, ep - 1)
    return pc == c


def do_match(ms, s, p):
    ms.matchdepth -= 1
    if ms.matchdepth == 0:
        raise LuaError("pattern too complex")
    ms.budget -= 1
    if ms.budget <= 0:
        ms.tick()
    pat = ms.pat
    plen = len(pat)
    src = ms.src
    try:
        while True:
            if p >= plen:
                return s
            pc = pat[p]
            if pc == "(":
                if p + 1 < plen and pat[p + 1] == ")":
                    return start_capture(ms, s, p + 2, CAP_POSITION)
                return start_capture(ms, s, p + 1, CAP_UNFINISHED)
            if pc == ")":
                return end_capture(ms, s, p + 1)
            if pc == "$" and p + 1 == plen:
                return s if s == len(src) else None
            if pc == "%" and p + 1 < plen:
                nc = pat[p + 1]
                if nc == "b":
                    s = match_balance(ms, s, p + 2)
                    if s is None:
                        return None
                    p += 4
                    continue
                if nc == "f":
                    p += 2
                    if p >= plen or pat[p] != "[":
                        raise LuaError("missing '[' after '%f' in pattern")
                    ep = class_end(ms, p)
                    prev = src[s - 1] if s > 0 else "\0"
                    cur = src[s] if s < len(src) else "\0"
                    if not match_bracket_class(ms, prev, p, ep - 1) and match_bracket_class(ms, cur, p, ep - 1):
                        p = ep
                        continue
                    return None
                if "0" <= nc <= "9":
                    s = match_capture(ms, s, nc)
                    if s is None:
                        return None
                    p += 2
                    continue
            # default
            ep = class_end(ms, p)
            epc = pat[ep] if ep < plen else ""
            if not single_match(ms, s, p, ep):
                if epc in ("*", "?", "-"):
                    p = ep + 1
                    continue
                return None
            if epc == "?":
                res = do_match(ms, s + 1, ep + 1)
                if res is not None:
                    return res
                p = ep + 1
                continue
            if epc == "+":
                return max_expand(ms, s + 1, p, ep)
            if epc == "*":
                return max_expand(ms, s, p, ep)
            if epc == "-":
                return min_expand(ms, s, p, ep)
            s += 1
            p = ep
    finally:
        ms.matchdepth += 1


def max_expand(ms, s, p, ep):
    i = 0
    while single_match(ms, s + i, p, ep):
        i += 1
    ms.budget -= i >> 4
    while i >= 0:
        res = do_match(ms, s + i, ep + 1)
        if res is not None:
            return res
        i -= 1
    return None


def min_expand(ms, s, p, ep):
    while True:
        res = do_match(ms, s, ep + 1)
        if res is not None:
            return res
        if single_match(ms, s, p, ep):
            s += 1
        else:
            return None


def start_capture(ms, s, p, what):
    if ms.level >= LUA_MAXCAPTURES:
        raise LuaError("too many captures")
    if len(ms.capture) > ms.level:
        ms.capture[ms.level] = [s, what]
    else:
        ms.capture.append([s, what])
    ms.level += 1
    res = do_match(ms, s, p)
    if res is None:
        ms.level -= 1
    return res


def end_capture(ms, s, p):
    l = -1
    for i in range(ms.level - 1, -1, -1):
        if ms.capture[i][1] == CAP_UNFINISHED:
            l = i
            break
    if l < 0:
        raise LuaError("invalid pattern capture")
    ms.capture[l][1] = s - ms.capture[l][0]
    res = do_match(ms, s, p)
    if res is None:
        ms.capture[l][1] = CAP_UNFINISHED
    return res


def match_balance(ms, s, p):
    pat = ms.pat
    if p + 1 >= len(pat):
        raise LuaError("malformed pattern (missing arguments to '%b')")
    src = ms.src
    if s >= len(src) or src[s] != pat[p]:
        return None
    b, e = pat[p], pat[p + 1]
    cont = 1
    s += 1
    n = len(src)
    ms.budget -= (n - s) >> 4   # charged as if the scan went to the end
    if ms.budget <= 0:
        ms.tick()
    while s < n:
        c = src[s]
        if c == e:
            cont -= 1
            if cont == 0:
                return s + 1
        elif c == b:
            cont += 1
        s += 1
    return None


def match_capture(ms, s, l):
    idx = ord(l) - ord("1")
    if idx < 0 or idx >= ms.level or ms.capture[idx][1] == CAP_UNFINISHED:
        raise LuaError("invalid capture index %%%d" % (idx + 1))
    init, ln = ms.capture[idx]
    if ln < 0:  # a position capture: C compares a (size_t)-2 length, which never fits
        return None
    ms.budget -= ln >> 4   # the comparison is as long as the capture
    if ms.budget <= 0:
        ms.tick()
    cap = ms.src[init:init + ln]
    if ms.src.startswith(cap, s) and len(ms.src) - s >= ln:
        return s + ln
    return None


def get_capture(ms, i, s, e):
    if i >= ms.level:
        if i != 0:
            raise LuaError("invalid capture index %%%d" % (i + 1))
        return ms.src[s:e]
    init, ln = ms.capture[i]
    if ln == CAP_UNFINISHED:
        raise LuaError("unfinished capture")
    if ln == CAP_POSITION:
        return init + 1
    return ms.src[init:init + ln]


def push_captures(ms, s, e, wholeifnone=True):
    n = ms.level if (ms.level or s is None) else 1
    return tuple(get_capture(ms, i, s, e) for i in range(n))


def posrelat_start(pos, ln):
    if pos > 0:
        return pos
    if pos == 0:
        return 1
    if pos < -ln:
        return 1
    return ln + pos + 1


def getendpos(pos, ln):
    if pos > ln:
        return ln
    if pos >= 0:
        return pos
    if pos < -ln:
        return 0
    return ln + pos + 1


def _nospecials(p):
    return not any(c in SPECIALS for c in p)


def _find_aux(rt, s, p, init, plain, find):
    fname = "find" if find else "match"
    s = check_string(s, 1, fname)
    p = check_string(p, 2, fname)
    ls = len(s)
    init = posrelat_start(opt_integer(init, 3, fname, 1), ls) - 1
    if init > ls:
        return (None,)
    if find and ((plain is not None and plain is not False) or _nospecials(p)):
        i = s.find(p, init)
        if i >= 0:
            return (i + 1, i + len(p))
        return (None,)
    anchor = p.startswith("^")
    if anchor:
        p = p[1:]
    ms = MatchState(s, p, rt)
    s1 = init
    while True:
        ms.reprep()
        e = do_match(ms, s1, 0)
        if e is not None:
            if find:
                return (s1 + 1, e) + push_captures(ms, None, 0)
            return push_captures(ms, s1, e)
        s1 += 1
        if anchor or s1 > ls:
            break
    return (None,)


@needs_runtime
def str_find(rt, s=NOVALUE, p=NOVALUE, init=None, plain=None, *_):
    return _find_aux(rt, s, p, init, plain, True)


@needs_runtime
def str_match(rt, s=NOVALUE, p=NOVALUE, init=None, *_):
    return _find_aux(rt, s, p, init, None, False)


@needs_runtime
def str_gmatch(rt, s=NOVALUE, p=NOVALUE, init=None, *_):
    s = check_string(s, 1, "gmatch")
    p = check_string(p, 2, "gmatch")
    ls = len(s)
    start = posrelat_start(opt_integer(init, 3, "gmatch", 1), ls) - 1
    if start > ls:
        start = ls + 1
    ms = MatchState(s, p, rt)
    state = [start, -1]

    def gmatch_aux(*_):
        src = state[0]
        while src <= ls:
            ms.reprep()
            e = do_match(ms, src, 0)
            if e is not None and e != state[1]:
                state[0] = state[1] = e
                return push_captures(ms, src, e)
            src += 1
        state[0] = src
        return ()
    lib_function(gmatch_aux)  # a "C function": errors in it carry no position when pcall calls it
    return (gmatch_aux,)


def _add_s(ms, out, s, e, repl):
    i = 0
    n = len(repl)
    while True:
        j = repl.find("%", i)
        if j < 0:
            out.append(repl[i:])
            return
        out.append(repl[i:j])
        j += 1
        c = repl[j] if j < n else "\0"
        if c == "%":
            out.append("%")
        elif c == "0":
            out.append(ms.src[s:e])
        elif "1" <= c <= "9":
            v = get_capture(ms, ord(c) - ord("1"), s, e)
            out.append(v if type(v) is str else tostr_number(v))
        else:
            raise LuaError("invalid use of '%' in replacement string")
        i = j + 1


@needs_runtime
def str_gsub(rt, s=NOVALUE, p=NOVALUE, repl=NOVALUE, max_n=None, *_):
    src = check_string(s, 1, "gsub")
    p = check_string(p, 2, "gsub")
    tr = type(repl)
    if tr in (int, float):
        repl = tostr_number(repl)
        tr = str
    if not (tr is str or tr is LuaTable or callable(repl)):
        type_error(3, "gsub", "string/function/table", repl)
    ls = len(src)
    max_s = opt_integer(max_n, 4, "gsub", ls + 1)
    anchor = p.startswith("^")
    if anchor:
        p = p[1:]
    ms = MatchState(src, p, rt)
    out = []
    pos = 0
    lastmatch = -1
    n = 0
    changed = False
    while n < max_s:
        ms.reprep()
        e = do_match(ms, pos, 0)
        if e is not None and e != lastmatch:
            n += 1
            # add_value
            if tr is str:
                _add_s(ms, out, pos, e, repl)
                changed = True
            else:
                if tr is LuaTable:
                    key = get_capture(ms, 0, pos, e)
                    v = rt.index(repl, key)
                else:
                    r = call(repl, *push_captures(ms, pos, e))
                    v = r[0] if r else None
                if v is None or v is False:
                    out.append(src[pos:e])
                else:
                    if type(v) is str:
                        out.append(v)
                    elif type(v) in (int, float):
                        out.append(tostr_number(v))
                    else:
                        raise LuaError("invalid replacement value (a %s)" % type_name(v))
                    changed = True
            pos = lastmatch = e
        elif pos < ls:
            out.append(src[pos])
            pos += 1
        else:
            break
        if anchor:
            break
    if not changed:
        return (src, n)
    out.append(src[pos:])
    res = "".join(out)
    if len(res) >= rt.mem_big:
        rt.account(len(res))
    return (res, n)


def str_len(s=NOVALUE, *_):
    return (len(check_string(s, 1, "len")),)


def str_sub(s=NOVALUE, i=NOVALUE, j=None, *_):
    s = check_string(s, 1, "sub")
    ls = len(s)
    start = posrelat_start(check_integer(i, 2, "sub") if i is not None else check_integer(i, 2, "sub"), ls)
    end = getendpos(opt_integer(j, 3, "sub", -1), ls)
    if start > end:
        return ("",)
    return (s[start - 1:end],)


def str_upper(s=NOVALUE, *_):
    return (check_string(s, 1, "upper").translate(_UPPER),)


def str_lower(s=NOVALUE, *_):
    return (check_string(s, 1, "lower").translate(_LOWER),)


def str_reverse(s=NOVALUE, *_):
    return (check_string(s, 1, "reverse")[::-1],)


@needs_runtime
def str_rep(rt, s=NOVALUE, n=NOVALUE, sep=None, *_):
    s = check_string(s, 1, "rep")
    n = check_integer(n, 2, "rep")
    sep = "" if sep is None else check_string(sep, 3, "rep")
    if n <= 0:
        return ("",)
    total = len(s) * n + len(sep) * (n - 1)
    if total >= rt.mem_big:
        rt.account(total)   # first: a memory limit refuses it as "not enough memory"
    if total >= 0x7FFFFFFF:
        raise LuaError("resulting string too large")
    if not total:
        return ("",)
    if sep:
        return ((s + sep) * (n - 1) + s,)
    return (s * n,)


def str_byte(s=NOVALUE, i=None, j=None, *_):
    s = check_string(s, 1, "byte")
    ls = len(s)
    raw_i = opt_integer(i, 2, "byte", 1)
    pose = getendpos(opt_integer(j, 3, "byte", raw_i), ls)  # the end defaults to i before adjusting
    pi = posrelat_start(raw_i, ls)
    if pi > pose:
        return ()
    return tuple(ord(c) for c in s[pi - 1:pose])


def str_char(*args):
    out = []
    for n, v in enumerate(args, 1):
        c = check_integer(v, n, "char")
        if not 0 <= c <= 255:
            arg_error(n, "char", "value out of range")
        out.append(chr(c))
    return ("".join(out),)


# ------------------------------------------------------------------ format
def _hexfloat(x: float, upper=False, precision=None, point=False) -> str:
    """C's %a of a finite double (glibc's spelling: 0x1.8p+1, 0x0p+0, subnormals 0x0.0...p-1022)."""
    if x != x:
        s = "-nan" if math.copysign(1, x) < 0 else "nan"
    elif math.isinf(x):
        s = "inf" if x > 0 else "-inf"
    else:
        h = x.hex()  # like -0x1.8000000000000p+1
        sign = ""
        if h.startswith("-"):
            sign, h = "-", h[1:]
        mant, exp = h[2:].split("p")
        if "." in mant:
            ip, fp = mant.split(".")
        else:
            ip, fp = mant, ""
        fp = fp.rstrip("0")
        if precision is not None:
            if len(fp) > precision:
                # round the hex mantissa to `precision` digits
                full = int(ip + fp, 16)
                shift = 4 * (len(fp) - precision)
                q, r = divmod(full, 1 << shift)
                half = 1 << (shift - 1)
                if r > half or (r == half and q & 1):
                    q += 1
                digits = ("%x" % q).rjust(len(ip) + precision, "0")
                ip = digits[:len(digits) - precision]
                fp = digits[len(digits) - precision:]
            else:
                fp = fp + "0" * (precision - len(fp))
        e = int(exp)
        s = "%s0x%s%s%sp%+d" % (sign, ip, "." if fp or point else "", fp, e)
    return s.upper() if upper else s


def _quote_string(s: str) -> str:
    out = ['"']
    n = len(s)
    for i, c in enumerate(s):
        if c == '"' or c == "\\" or c == "\n":
            out.append("\\" + c)
        elif ord(c) < 32 or ord(c) == 127:
            if i + 1 < n and "0" <= s[i + 1] <= "9":
                out.append("\\%03d" % ord(c))
            else:
                out.append("\\%d" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _format_q(v, arg):
    t = type(v)
    if t is str:
        return _quote_string(v)
    if t is int:
        if v == MININT:
            return "0x8000000000000000"
        return str(v)
    if t is float:
        if v == math.inf:
            return "1e9999"
        if v == -math.inf:
            return "-1e9999"
        if v != v:
            return "(0/0)"
        return _hexfloat(v)
    if v is None or t is bool:
        return "nil" if v is None else ("true" if v else "false")
    arg_error(arg, "format", "value has no literal form")


# Flags each conversion accepts (lstrlib.c's L_FMTFLAGS*); '0' also counts as a flag.
FLAGS_F = "-+#0 "
FLAGS_X = "-#0"
FLAGS_I = "-+0 "
FLAGS_U = "-0"
FLAGS_C = "-"
MAX_FORMAT = 32


class _Spec:
    """One checked conversion specification, as C's printf reads it."""
    __slots__ = ("flags", "width", "precision")

    def __init__(self, form):
        body = form[1:-1]
        i = 0
        while i < len(body) and body[i] in FLAGS_F:
            i += 1
        self.flags = body[:i]
        j = i
        while j < len(body) and "0" <= body[j] <= "9":
            j += 1
        self.width = int(body[i:j]) if j > i else 0
        self.precision = None
        if j < len(body) and body[j] == ".":
            self.precision = int(body[j + 1:] or "0")


def _checkformat(form, flags, precision):
    """lstrlib.c's checkformat: valid flags only, at most two digits of width and precision."""
    i = 1
    while form[i] in flags:
        i += 1
    if form[i] != "0":
        for _ in range(2):
            if "0" <= form[i] <= "9":
                i += 1
        if form[i] == "." and precision:
            i += 1
            for _ in range(2):
                if "0" <= form[i] <= "9":
                    i += 1
    c = form[i]
    if not ("a" <= c <= "z" or "A" <= c <= "Z"):
        raise LuaError("invalid conversion specification: '%s'" % form)
    return _Spec(form)


def _pad(spec, sign, prefix, digits, zero_ok=True):
    """Sign, prefix (0x) and digits in a field of the spec's width, as printf fills it."""
    body_len = len(sign) + len(prefix) + len(digits)
    w = spec.width
    if body_len >= w:
        return sign + prefix + digits
    if "-" in spec.flags:
        return sign + prefix + digits + " " * (w - body_len)
    if "0" in spec.flags and zero_ok:
        return sign + prefix + "0" * (w - body_len) + digits
    return " " * (w - body_len) + sign + prefix + digits


def _format_integer(spec, conv, n):
    if conv in "di":
        neg = n < 0
        mag = -n if neg else n
        digits = str(mag)
        sign = "-" if neg else ("+" if "+" in spec.flags else (" " if " " in spec.flags else ""))
    else:
        mag = n & 0xFFFFFFFFFFFFFFFF
        sign = ""
        digits = {"u": "%d", "o": "%o", "x": "%x", "X": "%X"}[conv] % mag
    prefix = ""
    if spec.precision is not None:
        if spec.precision == 0 and mag == 0:
            digits = ""
        digits = digits.rjust(spec.precision, "0")
    if "#" in spec.flags:
        if conv == "o" and not digits.startswith("0"):
            digits = "0" + digits
        elif conv in "xX" and mag != 0:
            prefix = "0" + conv
    return _pad(spec, sign, prefix, digits, spec.precision is None)


def _float_sign(spec, x):
    if math.copysign(1.0, x) < 0:
        return "-"
    return "+" if "+" in spec.flags else (" " if " " in spec.flags else "")


def _format_float(spec, conv, x):
    if x != x or math.isinf(x):
        body = "nan" if x != x else "inf"
        if conv in "EGA":
            body = body.upper()
        return _pad(spec, _float_sign(spec, x), "", body, False)
    if conv in "aA":
        body = _hexfloat(abs(x), conv == "A", spec.precision, "#" in spec.flags)
        return _pad(spec, _float_sign(spec, x), body[:2], body[2:])
    py = "%" + spec.flags + (str(spec.width) if spec.width else "")
    if spec.precision is not None:
        py += "." + str(spec.precision)
    return (py + conv) % x


@needs_runtime
def str_format(rt, fmt=NOVALUE, *args):
    fmt = check_string(fmt, 1, "format")
    out = []
    i = 0
    n = len(fmt)
    top = len(args) + 1
    arg = 1
    while i < n:
        c = fmt[i]
        if c != "%":
            j = fmt.find("%", i)
            if j < 0:
                j = n
            out.append(fmt[i:j])
            i = j
            continue
        i += 1
        if i < n and fmt[i] == "%":
            out.append("%")
            i += 1
            continue
        arg += 1
        if arg > top:
            arg_error(arg, "format", "no value")
        # getformat: flags, digits and '.', then the conversion character
        j = i
        while j < n and fmt[j] in "-+#0 123456789.":
            j += 1
        if j + 1 - i >= MAX_FORMAT - 10:
            raise LuaError("invalid format (too long)")
        conv = fmt[j] if j < n else ""
        form = "%" + fmt[i:j + 1]
        i = j + 1
        v = args[arg - 2]
        if conv == "c":
            spec = _checkformat(form, FLAGS_C, False)
            ch = chr(_fmt_int(v, arg) & 0xFF)
            out.append(_pad(spec, "", "", ch, False))
        elif conv in ("d", "i", "u", "o", "x", "X"):
            x = _fmt_int(v, arg)
            flags = FLAGS_I if conv in "di" else (FLAGS_U if conv == "u" else FLAGS_X)
            out.append(_format_integer(_checkformat(form, flags, True), conv, x))
        elif conv in ("a", "A"):
            spec = _checkformat(form, FLAGS_F, True)
            out.append(_format_float(spec, conv, float(check_number(v, arg, "format"))))
        elif conv in ("f", "e", "E", "g", "G"):
            x = float(check_number(v, arg, "format"))
            out.append(_format_float(_checkformat(form, FLAGS_F, True), conv, x))
        elif conv == "p":
            spec = _checkformat(form, FLAGS_C, False)
            if type(v) is LuaTable or (callable(v) and type(v) is not bool) or hasattr(type(v), "lua_type"):
                sv = "0x%014x" % id(v)
            elif type(v) is str:  # equal short strings are one object in Lua, long ones are not
                sv = "0x%014x" % ((hash(v) & 0xFFFFFFFFFFFF) if len(v) <= 40 else id(v))
            else:
                sv = "(null)"
            out.append(_pad(spec, "", "", sv, False))
        elif conv == "q":
            if len(form) > 2:
                raise LuaError("specifier '%q' cannot have modifiers")
            out.append(_format_q(v, arg))
        elif conv == "s":
            sv = rt.tostring(v)
            if len(form) == 2:
                out.append(sv)
            else:
                if "\0" in sv:
                    arg_error(arg, "format", "string contains zeros")
                spec = _checkformat(form, FLAGS_C, True)
                if spec.precision is None and len(sv) >= 100:
                    out.append(sv)
                else:
                    if spec.precision is not None:
                        sv = sv[:spec.precision]
                    out.append(_pad(spec, "", "", sv, False))
        else:
            raise LuaError("invalid conversion '%s' to 'format'" % form)
    res = "".join(out)
    if len(res) >= rt.mem_big:
        rt.account(len(res))
    return (res,)


def _fmt_int(v, n):
    t = type(v)
    if t is int:
        return v
    if t is float:
        from .lobject import float_to_int
        i = float_to_int(v)
        if i is None:
            arg_error(n, "format", "number has no integer representation")
        return i
    return check_integer(v, n, "format")


# ------------------------------------------------------------------ pack / unpack
# A port of lstrlib.c's PACK/UNPACK section for a 64-bit little-endian machine
# (sizeof int 4, short 2, long 8, size_t 8, lua_Integer 8, maximum alignment 8).
MAXINTSIZE = 16
SZINT = 8
MAXSIZE = 0x7FFFFFFF
NATIVE_LITTLE = True
(K_INT, K_UINT, K_FLOAT, K_NUMBER, K_DOUBLE, K_CHAR, K_STRING, K_ZSTR, K_PADDING, K_PADDALIGN,
 K_NOP) = range(11)
_FIXED_OPTIONS = {"b": (1, K_INT), "B": (1, K_UINT), "h": (2, K_INT), "H": (2, K_UINT),
                  "l": (8, K_INT), "L": (8, K_UINT), "j": (8, K_INT), "J": (8, K_UINT),
                  "T": (8, K_UINT), "f": (4, K_FLOAT), "n": (8, K_NUMBER), "d": (8, K_DOUBLE)}


class _PackHeader:
    __slots__ = ("fmt", "pos", "islittle", "maxalign", "fname")

    def __init__(self, fmt, fname):
        self.fmt = fmt
        self.pos = 0
        self.islittle = NATIVE_LITTLE
        self.maxalign = 1
        self.fname = fname

    def getnum(self, default):
        fmt, p = self.fmt, self.pos
        if p >= len(fmt) or not "0" <= fmt[p] <= "9":
            return default
        a = 0
        while True:
            a = a * 10 + ord(fmt[p]) - 48
            p += 1
            if not (p < len(fmt) and "0" <= fmt[p] <= "9" and a <= (MAXSIZE - 9) // 10):
                break
        self.pos = p
        return a

    def getnumlimit(self, default):
        sz = self.getnum(default)
        if sz > MAXINTSIZE or sz <= 0:
            raise LuaError("integral size (%d) out of limits [1,%d]" % (sz, MAXINTSIZE))
        return sz

    def getoption(self):
        """Read and classify the next option: (kind, size)."""
        opt = self.fmt[self.pos]
        self.pos += 1
        fixed = _FIXED_OPTIONS.get(opt)
        if fixed is not None:
            return fixed[1], fixed[0]
        if opt == "i":
            return K_INT, self.getnumlimit(4)
        if opt == "I":
            return K_UINT, self.getnumlimit(4)
        if opt == "s":
            return K_STRING, self.getnumlimit(8)
        if opt == "c":
            size = self.getnum(-1)
            if size == -1:
                raise LuaError("missing size for format option 'c'")
            return K_CHAR, size
        if opt == "z":
            return K_ZSTR, 0
        if opt == "x":
            return K_PADDING, 1
        if opt == "X":
            return K_PADDALIGN, 0
        if opt == " ":
            pass
        elif opt == "<":
            self.islittle = True
        elif opt == ">":
            self.islittle = False
        elif opt == "=":
            self.islittle = NATIVE_LITTLE
        elif opt == "!":
            self.maxalign = self.getnumlimit(8)
        else:
            raise LuaError("invalid format option '%s'" % opt)
        return K_NOP, 0

    def getdetails(self, totalsize):
        """The next option, its size and the padding that aligns it."""
        opt, size = self.getoption()
        align = size
        if opt == K_PADDALIGN:
            if self.pos >= len(self.fmt):
                arg_error(1, self.fname, "invalid next option for option 'X'")
            nopt, align = self.getoption()
            if nopt == K_CHAR or align == 0:
                arg_error(1, self.fname, "invalid next option for option 'X'")
        if align <= 1 or opt == K_CHAR:
            return opt, size, 0
        if align > self.maxalign:
            align = self.maxalign
        if align & (align - 1):
            arg_error(1, self.fname, "format asks for alignment not power of 2")
        return opt, size, (align - (totalsize & (align - 1))) & (align - 1)


def _packint(n, islittle, size, neg):
    n &= 0xFFFFFFFFFFFFFFFF
    if neg and size > SZINT:
        n |= ((1 << (8 * (size - SZINT))) - 1) << (8 * SZINT)
    data = (n & ((1 << (8 * size)) - 1)).to_bytes(size, "little" if islittle else "big")
    return data.decode("latin-1")


def _unpackint(data, islittle, size, issigned):
    raw = data.encode("latin-1")
    if not islittle:
        raw = raw[::-1]
    limit = min(size, SZINT)
    res = int.from_bytes(raw[:limit], "little")
    if size < SZINT:
        if issigned:
            mask = 1 << (size * 8 - 1)
            res = (res ^ mask) - mask
    elif size > SZINT:
        mask = 0xFF if issigned and res >= 1 << 63 else 0
        for b in raw[limit:]:
            if b != mask:
                raise LuaError("%d-byte integer does not fit into Lua Integer" % size)
    return wrap(res)


def _packfloat(v, fmt, islittle):
    try:
        data = struct.pack(("<" if islittle else ">") + fmt, v)
    except OverflowError:  # a double beyond float's range becomes an infinity, as C's cast does
        data = struct.pack(("<" if islittle else ">") + fmt, math.copysign(math.inf, v))
    return data.decode("latin-1")


def str_pack(fmt=NOVALUE, *args):
    fmt = check_string(fmt, 1, "pack")
    h = _PackHeader(fmt, "pack")
    out = []
    totalsize = 0
    arg = 1
    nargs = len(args)
    while h.pos < len(fmt):
        opt, size, ntoalign = h.getdetails(totalsize)
        totalsize += ntoalign + size
        if ntoalign:
            out.append("\0" * ntoalign)
        arg += 1
        v = args[arg - 2] if arg - 2 < nargs else None  # C Lua sees its nil marker here
        if opt == K_INT:
            n = check_integer(v, arg, "pack")
            if size < SZINT:
                lim = 1 << (size * 8 - 1)
                if not -lim <= n < lim:
                    arg_error(arg, "pack", "integer overflow")
            out.append(_packint(n, h.islittle, size, n < 0))
        elif opt == K_UINT:
            n = check_integer(v, arg, "pack")
            if size < SZINT and not (n & 0xFFFFFFFFFFFFFFFF) < (1 << (size * 8)):
                arg_error(arg, "pack", "unsigned overflow")
            out.append(_packint(n, h.islittle, size, False))
        elif opt == K_FLOAT:
            out.append(_packfloat(float(check_number(v, arg, "pack")), "f", h.islittle))
        elif opt == K_NUMBER or opt == K_DOUBLE:
            out.append(_packfloat(float(check_number(v, arg, "pack")), "d", h.islittle))
        elif opt == K_CHAR:
            sv = check_string(v, arg, "pack")
            if len(sv) > size:
                arg_error(arg, "pack", "string longer than given size")
            out.append(sv + "\0" * (size - len(sv)))
        elif opt == K_STRING:
            sv = check_string(v, arg, "pack")
            if size < 8 and len(sv) >= (1 << (size * 8)):
                arg_error(arg, "pack", "string length does not fit in given size")
            out.append(_packint(len(sv), h.islittle, size, False))
            out.append(sv)
            totalsize += len(sv)
        elif opt == K_ZSTR:
            sv = check_string(v, arg, "pack")
            if "\0" in sv:
                arg_error(arg, "pack", "string contains zeros")
            out.append(sv + "\0")
            totalsize += len(sv) + 1
        else:
            if opt == K_PADDING:
                out.append("\0")
            arg -= 1
    return ("".join(out),)


def str_packsize(fmt=NOVALUE, *_):
    fmt = check_string(fmt, 1, "packsize")
    h = _PackHeader(fmt, "packsize")
    totalsize = 0
    while h.pos < len(fmt):
        opt, size, ntoalign = h.getdetails(totalsize)
        if opt == K_STRING or opt == K_ZSTR:
            arg_error(1, "packsize", "variable-length format")
        size += ntoalign
        if totalsize > MAXSIZE - size:
            arg_error(1, "packsize", "format result too large")
        totalsize += size
    return (totalsize,)


def str_unpack(fmt=NOVALUE, data=NOVALUE, init=None, *_):
    fmt = check_string(fmt, 1, "unpack")
    data = check_string(data, 2, "unpack")
    ld = len(data)
    pos = posrelat_start_i(opt_integer(init, 3, "unpack", 1), ld) - 1
    if not 0 <= pos <= ld:
        arg_error(3, "unpack", "initial position out of string")
    h = _PackHeader(fmt, "unpack")
    res = []
    while h.pos < len(fmt):
        opt, size, ntoalign = h.getdetails(pos)
        if ntoalign + size > ld - pos:
            arg_error(2, "unpack", "data string too short")
        pos += ntoalign
        if opt == K_INT or opt == K_UINT:
            res.append(_unpackint(data[pos:pos + size], h.islittle, size, opt == K_INT))
        elif opt == K_FLOAT:
            res.append(struct.unpack(("<" if h.islittle else ">") + "f",
                                     data[pos:pos + 4].encode("latin-1"))[0])
        elif opt == K_NUMBER or opt == K_DOUBLE:
            res.append(struct.unpack(("<" if h.islittle else ">") + "d",
                                     data[pos:pos + 8].encode("latin-1"))[0])
        elif opt == K_CHAR:
            res.append(data[pos:pos + size])
        elif opt == K_STRING:
            ln = _unpackint(data[pos:pos + size], h.islittle, size, False) & 0xFFFFFFFFFFFFFFFF
            if ln > ld - pos - size:
                arg_error(2, "unpack", "data string too short")
            res.append(data[pos + size:pos + size + ln])
            pos += ln
        elif opt == K_ZSTR:
            e = data.find("\0", pos)
            if e < 0:
                arg_error(2, "unpack", "unfinished string for format 'z'")
            res.append(data[pos:e])
            pos = e + 1
        pos += size
    res.append(pos + 1)
    return tuple(res)


def posrelat_start_i(pos, ln):
    """posrelatI: a start position, negative counting from the end, clipped at 1."""
    if pos > 0:
        return pos
    if pos == 0:
        return 1
    if pos < -ln:
        return 1
    return ln + pos + 1


def str_dump(f=NOVALUE, strip=None, *_):
    from .ldump import dump
    if not callable(f) or type(f) is LuaTable:
        type_error(1, "dump", "function", f)
    d = dump(f)
    if d is None:
        raise LuaError("unable to dump given function")
    return (d,)


STRING_FUNCS = {
    "byte": str_byte,
    "char": str_char,
    "dump": str_dump,
    "find": str_find,
    "format": str_format,
    "gmatch": str_gmatch,
    "gsub": str_gsub,
    "len": str_len,
    "lower": str_lower,
    "match": str_match,
    "rep": str_rep,
    "reverse": str_reverse,
    "sub": str_sub,
    "upper": str_upper,
    "pack": str_pack,
    "packsize": str_packsize,
    "unpack": str_unpack,
}


def open_string(rt) -> LuaTable:
    lib = new_lib(rt, STRING_FUNCS, "string")
    meta = LuaTable()
    meta.rawset("__index", lib)
    rt.string_meta = meta
    return lib

"""The utf8 library (the lutf8lib of this interpreter), on latin-1 byte strings."""
from __future__ import annotations

from .lauxlib import NOVALUE, arg_error, check_integer, check_string, new_lib, opt_integer
from .lobject import LuaError, LuaTable, tointeger
from .llex import _utf8

MAXUTF = 0x7FFFFFFF


def _decode(s, i, strict=True):
    """Decode one UTF-8 sequence at byte index i; returns (code, next) or None."""
    n = len(s)
    c = ord(s[i])
    if c < 0x80:
        return c, i + 1
    if c < 0xC0:
        return None
    count = 0
    res = 0
    limits = (~0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000)
    while c & 0x40:
        count += 1
        if i + count >= n:
            return None
        cc = ord(s[i + count])
        if cc & 0xC0 != 0x80:
            return None
        res = (res << 6) | (cc & 0x3F)
        c <<= 1
    res |= (c & 0x7F) << (count * 5)
    if count > 5 or res > MAXUTF or res < limits[count]:
        return None
    if strict and (res > 0x10FFFF or 0xD800 <= res <= 0xDFFF):
        return None
    return res, i + count + 1


def _posrelat(pos, ln):
    if pos >= 0:
        return pos
    if -pos > ln:
        return 0
    return ln + pos + 1


def utf8_char(*args):
    out = []
    for n, v in enumerate(args, 1):
        c = check_integer(v, n, "char")
        if not 0 <= c <= MAXUTF:
            arg_error(n, "char", "value out of range")
        out.append(_utf8(c))
    return ("".join(out),)


def utf8_len(s=NOVALUE, i=None, j=None, lax=None, *_):
    s = check_string(s, 1, "len")
    ln = len(s)
    posi = _posrelat(opt_integer(i, 2, "len", 1), ln)
    posj = _posrelat(opt_integer(j, 3, "len", -1), ln)
    if not 1 <= posi <= ln + 1:
        arg_error(2, "len", "initial position out of bounds")
    if posj > ln:
        arg_error(3, "len", "final position out of bounds")
    p = posi - 1
    n = 0
    strict = not lax
    while p < posj:
        d = _decode(s, p, strict)
        if d is None:
            return (None, p + 1)
        p = d[1]
        n += 1
    return (n,)


def utf8_codepoint(s=NOVALUE, i=None, j=None, lax=None, *_):
    s = check_string(s, 1, "codepoint")
    ln = len(s)
    posi = _posrelat(opt_integer(i, 2, "codepoint", 1), ln)
    pose = _posrelat(opt_integer(j, 3, "codepoint", posi), ln)
    if posi < 1:
        arg_error(2, "codepoint", "out of bounds")
    if pose > ln:
        arg_error(3, "codepoint", "out of bounds")
    if posi > pose:
        return ()
    out = []
    p = posi - 1
    while p < pose:
        d = _decode(s, p, not lax)
        if d is None:
            raise LuaError("invalid UTF-8 code")
        out.append(d[0])
        p = d[1]
    return tuple(out)


def _iscont(s, i):
    return i < len(s) and (ord(s[i]) & 0xC0) == 0x80


def utf8_offset(s=NOVALUE, n=NOVALUE, i=None, *_):
    s = check_string(s, 1, "offset")
    n = check_integer(n, 2, "offset")
    ln = len(s)
    default = 1 if n >= 0 else ln + 1
    posi = _posrelat(opt_integer(i, 3, "offset", default), ln)
    if not 1 <= posi <= ln + 1:
        arg_error(3, "offset", "position out of bounds")
    posi -= 1
    if n == 0:
        while posi > 0 and _iscont(s, posi):
            posi -= 1
        return (posi + 1,)
    if _iscont(s, posi):
        raise LuaError("initial position is a continuation byte")
    if n < 0:
        while n < 0 and posi > 0:
            posi -= 1
            while posi > 0 and _iscont(s, posi):
                posi -= 1
            n += 1
    else:
        n -= 1
        while n > 0 and posi < ln:
            posi += 1
            while _iscont(s, posi):
                posi += 1
            n -= 1
    if n == 0:
        return (posi + 1,)
    return (None,)


def utf8_codes(s=NOVALUE, lax=None, *_):
    s = check_string(s, 1, "codes")
    strict = not lax

    def iter_aux(_s=None, i=0, *_):
        i = tointeger(i) or 0  # lua_tointeger: 0 for what is not an integer
        ln = len(s)
        if i < 0 or i >= ln:  # (C's unsigned position: a negative one is past the end too)
            return ()
        # skip continuation bytes of the current character
        if i > 0:
            while _iscont(s, i):
                i += 1
        if i >= ln:
            return ()
        d = _decode(s, i, strict)
        if d is None or _iscont(s, d[1]):
            raise LuaError("invalid UTF-8 code")
        return (i + 1, d[0])
    return (iter_aux, s, 0)


UTF8_FUNCS = {
    "char": utf8_char,
    "codepoint": utf8_codepoint,
    "codes": utf8_codes,
    "len": utf8_len,
    "offset": utf8_offset,
}


def open_utf8(rt) -> LuaTable:
    lib = new_lib(rt, UTF8_FUNCS, "utf8")
    lib.rawset("charpattern", "[\x00-\x7F\xC2-\xFD][\x80-\xBF]*")
    return lib

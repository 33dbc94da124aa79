"""string.dump and the loading of its "binary chunks" (what ldump.c and lundump.c do).

This interpreter compiles Lua to Python, so a dumped function is its Lua text: Lua 5.4's
header (signature, version, format, LUAC_DATA, sizes, LUAC_INT, LUAC_NUM), then the chunk
name, the upvalue names (in Lua's order) and the function's text, each with its length.
Loading it compiles ``local <upvalues>; return function <text>`` (padded so that lines keep
their numbers): the upvalues are fresh, the first one set to the environment, as when Lua
loads a binary chunk.  A chunk cut short or with a damaged header does not load.
"""
from __future__ import annotations

import struct

SIGNATURE = "\x1bLua"
HEADER = (SIGNATURE + "\x54\x00" + "\x19\x93\r\n\x1a\n" + "\x04\x08\x08"
          + struct.pack("<q", 0x5678).decode("latin-1") + struct.pack("<d", 370.5).decode("latin-1"))
MAGIC = "PTRL"


class DumpError(Exception):
    pass


def _field(s: str) -> str:
    return struct.pack("<I", len(s)).decode("latin-1") + s


def dump(f) -> str | None:
    """The binary chunk of Lua function f (a Python function compiled from Lua), or None."""
    info = getattr(f, "__globals__", {}).get("__luachunk__")
    if info is None or info.source is None:
        return None
    name = f.__code__.co_name
    where = info.spans.get(name)
    if where is None:
        return None
    span, line, is_method = where
    names = [lname for lname, _ in info.upvals.get(name, ())]
    if span == "main":
        text = "(...) " + info.source + "\nend"
    elif span is None:
        return None
    else:
        text = info.source[span[0]:span[1]]
        if is_method:
            rest = text[1:]
            text = "(self" + ("" if rest.lstrip().startswith(")") else ", ") + rest
    body = _field(info.chunkname) + _field(",".join(names)) + _field(text) + struct.pack("<I", line).decode("latin-1")
    return HEADER + MAGIC + _field(body)


def undump(s: str, chunkname: str):
    """(Lua text to compile, chunk name, number of upvalues) of a binary chunk; raises
    DumpError with Lua's message."""
    def error(why):
        raise DumpError("%s: bad binary format (%s)" % (_short(chunkname), why))
    n = len(HEADER)
    for i, (want, got) in enumerate(zip(HEADER, s)):
        if want != got:
            error("not a binary chunk" if i < 4 else "version mismatch" if i == 4 else
                  "format mismatch" if i == 5 else "corrupted chunk" if i < 12 else
                  "size mismatch" if i < 15 else "integer format mismatch" if i < 23 else
                  "float format mismatch")
    if len(s) < n + len(MAGIC) + 4:
        error("truncated chunk")
    if s[n:n + len(MAGIC)] != MAGIC:
        error("not a chunk of this interpreter")
    pos = n + len(MAGIC)

    def read_field(pos):
        if pos + 4 > len(s):
            error("truncated chunk")
        ln = struct.unpack("<I", s[pos:pos + 4].encode("latin-1"))[0]
        if pos + 4 + ln > len(s):
            error("truncated chunk")
        return s[pos + 4:pos + 4 + ln], pos + 4 + ln

    body, end = read_field(pos)
    if end != len(s):
        error("corrupted chunk")
    name, p = read_field_in(body, 0, error)
    names, p = read_field_in(body, p, error)
    text, p = read_field_in(body, p, error)
    if p + 4 != len(body):
        error("corrupted chunk")
    line = struct.unpack("<I", body[p:p + 4].encode("latin-1"))[0]
    ups = [x for x in names.split(",") if x] if names else []
    prefix = ("local %s; " % ", ".join(ups)) if ups else ""
    return "\n" * max(line - 1, 0) + prefix + "return function" + text, name, len(ups)


def read_field_in(body, pos, error):
    if pos + 4 > len(body):
        error("corrupted chunk")
    ln = struct.unpack("<I", body[pos:pos + 4].encode("latin-1"))[0]
    if pos + 4 + ln > len(body):
        error("corrupted chunk")
    return body[pos + 4:pos + 4 + ln], pos + 4 + ln


def _short(chunkname):
    from .ldebug import short_src
    return short_src(chunkname)

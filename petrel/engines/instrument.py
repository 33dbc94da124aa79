"""Check-ins written into Lua source at load time, for runtimes whose own hooks cannot preempt.

LuaJIT does not run debug hooks inside compiled traces and lupa offers no hook API, so the lupa
engine rewrites each chunk's text before loading it: a counter check goes after every ``do`` and
``repeat`` (loop back-edges; a plain ``do`` block pays it once), after the parameter list of every
``function`` (entries, so recursion without loops checks in too) and before every ``goto``. About
every thousandth check calls the sandbox's ``checkin``, which ends the time slice or stops the
code at its limits. The chunk itself becomes the body of a function that receives ``checkin``::

    local __petrel_c, __petrel_n = ..., 0 return function(...) <the chunk> end

so line numbers stay as written (everything is added on existing lines), the chunk keeps its
varargs and return values, and no global is involved. Names starting with ``__petrel`` are
reserved: code using one could shadow the check, so it does not load.

The scanner only needs to tell names, strings, comments and numbers apart, so it accepts every
dialect (LuaJIT's ``1ULL`` and ``0x1p4``, 5.4's attribs); anything it does not understand is left
for the runtime's own parser to report.
"""

from __future__ import annotations

import re

RESERVED_PREFIX = "__petrel"
CHECK = " if __petrel_n>999 then __petrel_n=__petrel_c() else __petrel_n=__petrel_n+1 end;"
PROLOGUE = "local __petrel_c,__petrel_n=...,0 return function(...) "
EPILOGUE = "\nend"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F.]*(?:[pP][+-]?[0-9]+)?|[0-9.]+(?:[eE][+-]?[0-9]+)?)[A-Za-z0-9_]*")
_LONG_OPEN = re.compile(r"\[(=*)\[")
_LINE_END = re.compile(r"[\r\n]")


class InstrumentError(Exception):
    """The text cannot be instrumented (a reserved name); str() is a Lua-style message."""


def _skip_long(text: str, pos: int, equals: str) -> int:
    end = text.find("]" + equals + "]", pos)
    return len(text) if end < 0 else end + len(equals) + 2


def _skip_short_string(text: str, pos: int, quote: str) -> int:
    """The end of a short string, read as Lua's lexer reads it (llex.c read_string)."""
    n = len(text)
    while pos < n:
        c = text[pos]
        if c == "\\":
            following = text[pos + 1:pos + 3]
            if following in ("\r\n", "\n\r"):      # an escaped line break counts once
                pos += 3
            elif following[:1] == "z":               # \z skips the white space that follows
                pos += 2
                while pos < n and text[pos] in " \t\r\n\f\v":
                    pos += 1
            else:
                pos += 2
            continue
        if c == quote or c == "\n" or c == "\r":
            return pos + 1
        pos += 1
    return n


KEYWORDS = frozenset("and break do else elseif end false for function goto if in local nil not or "
                     "repeat return then true until while".split())


class _Function:
    """A function being scanned: where its entry check went, and whether its body calls."""
    __slots__ = ("check_at", "calls")

    def __init__(self) -> None:
        self.check_at = -1
        self.calls = False


def instrument(text: str, chunkname: str = "?", goto_keyword: bool = True) -> str:
    """``text`` with check-ins, wrapped as described above. ``goto_keyword`` is False on Lua 5.1,
    where ``goto`` is an ordinary name.

    A function whose own body makes no call gets no entry check: it cannot recurse (recursion
    through metamethods alone ends at Lua's C-stack or stack limit), and its loops check in at
    their back-edges.
    """
    out: list[str] = []
    append = out.append
    pos = 0
    n = len(text)
    line = 1
    last = 0                 # text[last:pos] not yet copied
    in_function_head = False  # after 'function', before its parameter list closes
    blocks: list = []        # open blocks: a _Function, or None for do/if/repeat blocks
    functions: list[_Function] = []
    prev = "other"           # the previous token: "name", "close" () or ]), "string" or "other"

    def called() -> None:
        if functions:
            functions[-1].calls = True

    while pos < n:
        c = text[pos]
        if c in " \t\r\f\v":
            pos += 1
            continue
        if c == "\n":
            line += 1
            pos += 1
            continue
        if c == "-" and text.startswith("--", pos):
            match = _LONG_OPEN.match(text, pos + 2)
            if match:
                end = _skip_long(text, match.end(), match.group(1))
            else:
                end = _LINE_END.search(text, pos)   # Lua ends a comment at CR as well as LF
                end = n if end is None else end.start()
            line += text.count("\n", pos, end)
            pos = end
            continue
        if c == "[":
            match = _LONG_OPEN.match(text, pos)
            if match:
                if prev in ("name", "close"):
                    called()   # f[[text]]
                end = _skip_long(text, match.end(), match.group(1))
                line += text.count("\n", pos, end)
                pos = end
                prev = "string"
                continue
            pos += 1
            prev = "other"
            continue
        if c == '"' or c == "'":
            if prev in ("name", "close"):
                called()       # f"text"
            end = _skip_short_string(text, pos + 1, c)
            line += text.count("\n", pos, end)
            pos = end
            prev = "string"
            continue
        if c.isdigit() or (c == "." and pos + 1 < n and text[pos + 1].isdigit()):
            match = _NUMBER.match(text, pos)
            pos = match.end() if match else pos + 1
            prev = "other"
            continue
        if (c.isalpha() or c == "_") and c.isascii():
            match = _NAME.match(text, pos)
            assert match is not None
            word = match.group()
            end = match.end()
            if word.startswith(RESERVED_PREFIX):
                raise InstrumentError(f"{chunkname}:{line}: the name '{word}' is reserved by petrel")
            if word in KEYWORDS:
                prev = "other"
                if word == "do" or word == "repeat":
                    append(text[last:end])
                    append(CHECK)
                    last = end
                    blocks.append(None)
                elif word == "if":
                    blocks.append(None)
                elif word == "function":
                    in_function_head = True
                    function = _Function()
                    blocks.append(function)
                    functions.append(function)
                elif word == "end" or word == "until":
                    if blocks:
                        block = blocks.pop()
                        if block is not None:
                            functions.pop()
                            if not block.calls and block.check_at >= 0:
                                out[block.check_at] = ""
                elif word == "goto" and goto_keyword:
                    append(text[last:pos])
                    append(CHECK + " ")
                    last = pos
            else:
                prev = "name"
            pos = end
            continue
        if c == "(":
            if not in_function_head and prev in ("name", "close", "string"):
                called()
        elif c == "{":
            if prev in ("name", "close"):
                called()       # f{...}
        elif c == ")" and in_function_head:
            in_function_head = False
            append(text[last:pos + 1])
            functions[-1].check_at = len(out)
            append(CHECK)
            last = pos + 1
        prev = "close" if c in ")]" else "other"
        pos += 1
    append(text[last:])
    return PROLOGUE + "".join(out) + EPILOGUE

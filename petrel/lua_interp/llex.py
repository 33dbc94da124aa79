"""Lexer: Lua source text -> lark tokens (the llex of this interpreter).

Lua strings are byte strings.  Throughout lua_interp a Lua string is a Python
``str`` whose characters are all below U+0100, one character per byte (latin-1).
Source text therefore arrives here as latin-1 text: bytes are decoded with
latin-1, Python ``str`` source is first encoded as UTF-8.

Long brackets (``[==[ ... ]==]``) and the escape rules of short strings are not
regular enough for lark's own lexer, so this hand-written one feeds the LALR
parser (see ``lparser``).
"""
from __future__ import annotations

import re

from lark import Token
from lark.lexer import Lexer

from .lobject import str2number

KEYWORDS = frozenset(
    "and break do else elseif end false for function goto if in local nil not or "
    "repeat return then true until while".split()
)

_LINE_END = re.compile(r"[\r\n]")
_WS = re.compile(r"[ \t\r\n\v\f]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEC = re.compile(r"(?:[0-9]|\.[0-9])(?:[eE][+-]?|[0-9a-fA-F.])*[A-Za-z_]?")
_HEX = re.compile(r"0[xX](?:[pP][+-]?|[0-9a-fA-F.])*[A-Za-z_]?")
_LONGOPEN = re.compile(r"\[(=*)\[")
_OPS = [
    "...", "..", "==", "~=", "<=", ">=", "<<", ">>", "//", "::",
    "+", "-", "*", "/", "%", "^", "#", "&", "~", "|", "<", ">", "=",
    "(", ")", "{", "}", "[", "]", ";", ":", ",", ".",
]
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
            "v": "\v", "\\": "\\", '"': '"', "'": "'"}


class LuaToken(Token):
    """A lark Token that also remembers its source text (for "near '...'")."""
    __slots__ = ("raw",)


class LexError(Exception):
    """A lexical error; ``msg`` already reads like Lua's ("... near '...'")."""

    def __init__(self, msg: str, line: int):
        super().__init__(msg)
        self.msg = msg
        self.line = line


def source_text(source) -> str:
    """Normalise a chunk to the latin-1 text the lexer reads.

    bytes are the chunk's bytes; a Python str is text and is encoded as UTF-8.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source).decode("latin-1")
    if source.isascii():
        return source
    return source.encode("utf-8").decode("latin-1")


def _near(text: str) -> str:
    return "near '%s'" % text


def _utf8(cp: int) -> str:
    """Lua's luaO_utf8esc: up to 6-byte sequences for values below 2^31."""
    if cp < 0x80:
        return chr(cp)
    out = []
    mfb = 0x3F
    while True:
        out.append(0x80 | (cp & 0x3F))
        cp >>= 6
        mfb >>= 1
        if cp <= mfb:
            break
    out.append(((~mfb << 1) & 0xFF) | cp)
    return "".join(map(chr, reversed(out)))


class Scanner:
    """Turns latin-1 text into a list of lark Tokens (value, line)."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1

    def error(self, msg: str, near: str | None):
        suffix = " near <eof>" if near is None else " " + _near(near)
        raise LexError(msg + suffix, self.line)

    def tokens(self):
        text, n = self.text, len(self.text)
        out = []
        while True:
            self._skip_space_and_comments()
            pos = self.pos
            if pos >= n:
                return out
            c = text[pos]
            line = self.line
            if "a" <= c <= "z" or "A" <= c <= "Z" or c == "_":  # ASCII only (str.isalpha: 'é')
                m = _NAME.match(text, pos)
                word = m.group()
                self.pos = m.end()
                if word in KEYWORDS:  # (positions: string.dump finds a function's text)
                    out.append(Token(word, word, start_pos=pos, line=line, end_pos=self.pos))
                else:
                    out.append(Token("NAME", word, line=line))
                continue
            if "0" <= c <= "9" or (c == "." and pos + 1 < n and "0" <= text[pos + 1] <= "9"):
                m = (_HEX if text.startswith(("0x", "0X"), pos) else _DEC).match(text, pos)
                raw = m.group()
                self.pos = m.end()
                value = str2number(raw)
                if value is None:
                    self.error("malformed number", raw)
                tok = LuaToken("NUMBER", value, line=line)
                tok.raw = raw
                out.append(tok)
                continue
            if c == '"' or c == "'":
                start = pos
                value = self._short_string(c)
                tok = LuaToken("STRING", value, line=line)
                tok.raw = text[start:self.pos]
                out.append(tok)
                continue
            if c == "[":
                m = _LONGOPEN.match(text, pos)
                if m:
                    value = self._long_string(m, "string")
                    tok = LuaToken("STRING", value, line=line)
                    tok.raw = text[pos:self.pos]
                    out.append(tok)
                    continue
                if text.startswith("[=", pos):
                    self.pos = pos + 1
                    while self.pos < n and text[self.pos] == "=":
                        self.pos += 1
                    self.error("invalid long string delimiter", text[pos:self.pos])
            for op in _OPS:
                if text.startswith(op, pos):
                    self.pos = pos + len(op)
                    out.append(Token(op, op, start_pos=pos, line=line, end_pos=self.pos))
                    break
            else:
                self.pos = pos + 1
                self.error("unexpected symbol", c if " " <= c <= "~" else "<\\%d>" % ord(c))

    def _skip_space_and_comments(self):
        text, n = self.text, len(self.text)
        while True:
            m = _WS.match(text, self.pos)
            if m.end() != self.pos:
                self.line += self._count_lines(text, self.pos, m.end())
                self.pos = m.end()
            if text.startswith("--", self.pos):
                self.pos += 2
                m = _LONGOPEN.match(text, self.pos)
                if m:
                    self._long_string(m, "comment")
                else:
                    m = _LINE_END.search(text, self.pos)  # a short comment ends at \n or \r
                    self.pos = n if m is None else m.start()
                continue
            return

    @staticmethod
    def _count_lines(text, a, b):
        # a "\r\n" or "\n\r" pair is one line break, as in Lua's inclinenumber
        seg = text[a:b]
        if "\r" not in seg:
            return seg.count("\n")
        return len(re.findall(r"\n\r?|\r\n?", seg))

    def _long_string(self, m, what):
        text = self.text
        level = len(m.group(1))
        start_line = self.line
        self.pos = m.end()
        # skip a first newline
        if text.startswith(("\r\n", "\n\r"), self.pos):
            self.pos += 2
            self.line += 1
        elif self.pos < len(text) and text[self.pos] in "\r\n":
            self.pos += 1
            self.line += 1
        close = "]" + "=" * level + "]"
        end = text.find(close, self.pos)
        if end < 0:
            self.line += self._count_lines(text, self.pos, len(text))
            self.pos = len(text)
            raise LexError("unfinished long %s (starting at line %d) near '<eof>'"
                           % (what, start_line), self.line)
        body = text[self.pos:end]
        self.pos = end + len(close)
        if "\r" in body:
            self.line += self._count_lines(body, 0, len(body))
            body = re.sub(r"\n\r|\r\n|\r", "\n", body)
        else:
            self.line += body.count("\n")
        return body

    def _short_string(self, quote):
        text, n = self.text, len(self.text)
        start = self.pos
        i = start + 1
        buf = []
        while True:
            if i >= n:
                self.pos = i
                self.error("unfinished string", None)
            c = text[i]
            if c == quote:
                self.pos = i + 1
                return "".join(buf)
            if c == "\n" or c == "\r":
                self.pos = i
                self.error("unfinished string", text[start:i])
            if c != "\\":
                j = i + 1
                while j < n and text[j] not in "\\\r\n" and text[j] != quote:
                    j += 1
                buf.append(text[i:j])
                i = j
                continue
            # escape sequence
            i += 1
            if i >= n:
                self.pos = i
                self.error("unfinished string", None)
            e = text[i]
            if e in _ESCAPES:
                buf.append(_ESCAPES[e])
                i += 1
            elif e == "\n" or e == "\r":
                buf.append("\n")
                self.line += 1
                if i + 1 < n and text[i + 1] in "\r\n" and text[i + 1] != e:
                    i += 1
                i += 1
            elif e == "x":
                h = text[i + 1:i + 3]
                if len(h) < 2 or not all(ch in "0123456789abcdefABCDEF" for ch in h):
                    k = i + 1
                    while k < i + 3 and k < n and text[k] in "0123456789abcdefABCDEF":
                        k += 1
                    self.pos = k
                    self.error("hexadecimal digit expected", text[start:min(k + 1, n)])
                buf.append(chr(int(h, 16)))
                i += 3
            elif e == "z":
                i += 1
                while i < n and text[i] in " \t\r\n\v\f":
                    if text[i] in "\r\n":
                        if i + 1 < n and text[i + 1] in "\r\n" and text[i + 1] != text[i]:
                            i += 1
                        self.line += 1
                    i += 1
            elif "0" <= e <= "9":
                k = i
                while k < i + 3 and k < n and "0" <= text[k] <= "9":
                    k += 1
                v = int(text[i:k])
                if v > 255:
                    self.pos = k
                    self.error("decimal escape too large", text[start:min(k + 1, n)])
                buf.append(chr(v))
                i = k
            elif e == "u":
                k = i + 1
                if k >= n or text[k] != "{":
                    self.error("missing '{'", text[start:k + 1])
                k += 1
                j = k
                v = 0
                while j < n and text[j] in "0123456789abcdefABCDEF":
                    if j > k and v > 0x7FFFFFF:  # as readutf8esc: the digit that overflows ends it
                        self.error("UTF-8 value too large", text[start:j + 1])
                    v = (v << 4) + int(text[j], 16)
                    j += 1
                if j == k:
                    self.error("hexadecimal digit expected", text[start:j + 1])
                if j >= n or text[j] != "}":
                    self.error("missing '}'", text[start:j + 1])
                buf.append(_utf8(v))
                i = j + 1
            else:
                self.pos = i + 1
                self.error("invalid escape sequence", text[start:i + 1])


def skip_first_comment(src: bytes) -> bytes:
    """luaL_loadfile's rule for a file (not for load): a first line starting with '#' (a
    shebang) is skipped, its newline kept so that line numbers stay right."""
    if src[:1] == b"#":
        end = src.find(b"\n")
        return b"" if end < 0 else src[end:]
    return src


class LuaLarkLexer(Lexer):
    """lark custom-lexer adapter: maps scanner token kinds to grammar terminal names."""

    def __init__(self, lexer_conf):
        self.names = {}
        for t in lexer_conf.terminals:
            pat = t.pattern
            if pat.type == "str":
                self.names[pat.value] = t.name

    def lex(self, tokens, parser_state=None):  # "tokens" is the pre-scanned token list
        names = self.names
        for tok in tokens:
            kind = tok.type
            if kind not in ("NAME", "NUMBER", "STRING"):
                tok.type = names[kind]
            yield tok

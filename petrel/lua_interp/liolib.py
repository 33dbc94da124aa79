"""The io library (liolib.c's), opened by the standalone command only: handlers never get it.

A file is a userdata (type "userdata", metatable named "FILE*") wrapping a Python binary
stream; Lua strings are latin-1 text, so bytes pass through unchanged.  Errors of the
operating system come back as Lua does it: nil, "name: message", errno.
"""
from __future__ import annotations

import errno as _errno
import os
import subprocess
import sys
import tempfile

from .lauxlib import NOVALUE, arg_error, check_integer, check_string, lib_function, needs_runtime, new_lib, type_error
from .lobject import LuaError, LuaTable, str2number, tostr_number

_MODES = {"r", "w", "a", "r+", "w+", "a+", "rb", "wb", "ab", "r+b", "w+b", "a+b"}


class LuaFile:
    """A FILE* userdata."""

    lua_type = "userdata"
    __slots__ = ("f", "closed", "std", "proc", "lua_meta", "name")

    def __init__(self, f, meta, std=False, proc=None, name="?"):
        self.f = f
        self.closed = False
        self.std = std
        self.proc = proc
        self.lua_meta = meta
        self.name = name


def _oserror(e: OSError, name=None):
    msg = e.strerror or str(e)
    if name is not None:
        msg = "%s: %s" % (name, msg)
    return (None, msg, e.errno or 0)


def _tofile(v, fname):
    if type(v) is not LuaFile:
        type_error(1, fname, "FILE*", v)
    if v.closed:
        raise LuaError("attempt to use a closed file")
    return v


def _read_number(f):
    """Lua's read "n": the longest prefix of a numeral (at most 200 characters), then tonumber."""
    buf = []
    # skip whitespace
    c = f.read(1)
    while c and c in b" \t\n\r\f\v":
        c = f.read(1)
    allowed = b"0123456789+-.xXaAbBcCdDeEfFpPnN"
    while c and c in allowed and len(buf) < 200:
        buf.append(c)
        c = f.read(1)
    if c:
        try:
            f.seek(-1, os.SEEK_CUR)
        except (OSError, ValueError):
            pass
    v = str2number(b"".join(buf).decode("latin-1"))
    return v


def _readline(f, keep):
    line = f.readline()
    if not line:
        return None
    s = line.decode("latin-1")
    if not keep and s.endswith("\n"):
        s = s[:-1]
    return s


def _read(fobj, fmts, fname, first=2):
    f = fobj.f
    if not fmts:
        fmts = ("l",)
    out = []
    try:
        for i, fmt in enumerate(fmts):
            if type(fmt) is int or type(fmt) is float:
                n = check_integer(fmt, i + first, fname)
                if n == 0:
                    data = f.peek(1)[:1] if hasattr(f, "peek") else b"x"
                    v = "" if data else None
                else:
                    data = f.read(n)
                    v = data.decode("latin-1") if data else None
            else:
                if type(fmt) is not str:
                    arg_error(i + first, fname, "invalid format")
                p = fmt[1:] if fmt.startswith("*") else fmt
                c = p[:1]
                if c == "n":
                    v = _read_number(f)
                elif c == "l":
                    v = _readline(f, False)
                elif c == "L":
                    v = _readline(f, True)
                elif c == "a":
                    v = f.read().decode("latin-1")
                else:
                    arg_error(i + first, fname, "invalid format")
            out.append(v)
            if v is None:
                break
    except OSError as e:
        return _oserror(e)
    return tuple(out)


def _write(fobj, args, fname, first=1):
    f = fobj.f
    try:
        for i, v in enumerate(args):
            if type(v) is str:
                f.write(v.encode("latin-1"))
            elif type(v) is int or type(v) is float:
                f.write(tostr_number(v).encode("latin-1"))
            else:
                type_error(i + first, fname, "string", v)
        if fobj.std:
            f.flush()
    except OSError as e:
        return _oserror(e)
    return (fobj,)


def _close(fobj):
    if fobj.std:
        return (None, "cannot close standard file")
    fobj.closed = True
    try:
        fobj.f.close()
    except OSError as e:
        return _oserror(e)
    if fobj.proc is not None:
        code = fobj.proc.wait()
        if code < 0:
            return (None, "signal", -code)
        return (True if code == 0 else None, "exit", code)
    return (True,)


def open_io(rt) -> LuaTable:
    meta = LuaTable()
    methods = LuaTable()
    state = {}

    def newfile(f, **kw):
        return LuaFile(f, meta, **kw)

    stdin = newfile(sys.stdin.buffer, std=True, name="stdin")
    stdout = newfile(_StdOut(rt), std=True, name="stdout")
    stderr = newfile(sys.stderr.buffer, std=True, name="stderr")
    state["input"], state["output"] = stdin, stdout

    def f_read(self=NOVALUE, *fmts):
        return _read(_tofile(self, "read"), fmts, "read")

    def f_write(self=NOVALUE, *args):
        return _write(_tofile(self, "write"), args, "write")

    def f_lines(self=NOVALUE, *fmts):
        fobj = _tofile(self, "lines")
        return (_lines_iter(fobj, fmts, False),)

    def f_close(self=NOVALUE, *_):
        return _close(_tofile(self, "close"))

    def f_flush(self=NOVALUE, *_):
        fobj = _tofile(self, "flush")
        try:
            fobj.f.flush()
        except OSError as e:
            return _oserror(e)
        return (fobj,)

    def f_seek(self=NOVALUE, whence="cur", offset=0, *_):
        fobj = _tofile(self, "seek")
        w = {"set": os.SEEK_SET, "cur": os.SEEK_CUR, "end": os.SEEK_END}.get(
            check_string(whence, 2, "seek") if whence is not None else "cur")
        if w is None:
            arg_error(2, "seek", "invalid option '%s'" % whence)
        off = check_integer(offset if offset is not None else 0, 3, "seek")
        try:
            return (fobj.f.seek(off, w),)
        except (OSError, ValueError) as e:
            if isinstance(e, OSError):
                return _oserror(e)
            return (None, "Invalid argument", _errno.EINVAL)

    def f_setvbuf(self=NOVALUE, mode=NOVALUE, *_):
        _tofile(self, "setvbuf")
        m = check_string(mode, 2, "setvbuf")
        if m not in ("no", "full", "line"):
            arg_error(2, "setvbuf", "invalid option '%s'" % m)
        return (True,)

    def f_tostring(self=NOVALUE, *_):
        if self.closed:
            return ("file (closed)",)
        return ("file (0x%08x)" % id(self),)

    def f_gc(self=NOVALUE, *_):
        if type(self) is LuaFile and not self.closed and not self.std:
            _close(self)
        return ()

    def _lines_iter(fobj, fmts, close_at_eof):
        if len(fmts) > 250:
            arg_error(252, "lines", "too many arguments")

        def it(*_):
            if fobj.closed:
                raise LuaError("file is already closed")
            r = _read(fobj, fmts, "lines")
            if r and r[0] is None:
                if len(r) > 1 and r[1] is not None and type(r[1]) is str:
                    raise LuaError(r[1])
                if close_at_eof:
                    _close(fobj)
                return (None,)
            return r
        lib_function(it)
        return it

    for k, v in (("read", f_read), ("write", f_write), ("lines", f_lines), ("close", f_close),
                 ("flush", f_flush), ("seek", f_seek), ("setvbuf", f_setvbuf)):
        lib_function(v)
        methods.rawset(k, v)
    meta.rawset("__index", methods)
    meta.rawset("__name", "FILE*")
    meta.rawset("__tostring", lib_function(f_tostring))
    meta.rawset("__gc", lib_function(f_gc))
    meta.rawset("__close", lib_function(f_gc))

    def io_open(filename=NOVALUE, mode="r", *_):
        name = check_string(filename, 1, "open")
        m = check_string(mode, 2, "open") if mode is not None else "r"
        if m not in _MODES:
            arg_error(2, "open", "invalid mode")
        pymode = m.replace("b", "")
        pymode = {"r": "rb", "w": "wb", "a": "ab", "r+": "r+b", "w+": "w+b", "a+": "a+b"}[pymode]
        try:
            f = open(name, pymode)
        except OSError as e:
            return _oserror(e, name)
        return (newfile(f, name=name),)

    def io_close(f=NOVALUE, *_):
        if f is NOVALUE or f is None:
            f = state["output"]
        return _close(_tofile(f, "close"))

    def io_read(*fmts):
        return _read(_tofile(state["input"], "read"), fmts, "read", 1)

    def io_write(*args):
        return _write(_tofile(state["output"], "write"), args, "write", 1)

    def io_flush(*_):
        return (_tofile(state["output"], "flush").f.flush() or state["output"],)

    def _g_iofile(which, mode, fname, f):
        if f is not NOVALUE and f is not None:
            if type(f) is str or type(f) in (int, float):
                name = check_string(f, 1, fname)
                try:
                    pyf = open(name, mode)
                except OSError as e:
                    raise LuaError("cannot open file '%s' (%s)" % (name, e.strerror))
                state[which] = newfile(pyf, name=name)
            else:
                state[which] = _tofile(f, fname)
        return (state[which],)

    def io_input(f=NOVALUE, *_):
        return _g_iofile("input", "rb", "input", f)

    def io_output(f=NOVALUE, *_):
        return _g_iofile("output", "wb", "output", f)

    def io_lines(filename=NOVALUE, *fmts):
        if filename is NOVALUE or filename is None:
            return (_lines_iter(_tofile(state["input"], "lines"), fmts, False),)
        name = check_string(filename, 1, "lines")
        try:
            f = open(name, "rb")
        except OSError as e:
            raise LuaError("cannot open file '%s' (%s)" % (name, e.strerror))
        fobj = newfile(f, name=name)
        return (_lines_iter(fobj, fmts, True), None, None, fobj)

    def io_type(v=NOVALUE, *_):
        if v is NOVALUE:
            arg_error(1, "type", "value expected")
        if type(v) is not LuaFile:
            return (None,)
        return ("closed file" if v.closed else "file",)

    def io_tmpfile(*_):
        try:
            return (newfile(tempfile.TemporaryFile("w+b")),)
        except OSError as e:
            return _oserror(e)

    def io_popen(prog=NOVALUE, mode="r", *_):
        cmd = check_string(prog, 1, "popen")
        m = check_string(mode, 2, "popen") if mode is not None else "r"
        if m not in ("r", "w"):
            arg_error(2, "popen", "invalid mode")
        sys.stdout.flush()
        try:
            if m == "r":
                p = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE)
                return (newfile(p.stdout, proc=p),)
            p = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE)
            return (newfile(p.stdin, proc=p),)
        except OSError as e:
            return _oserror(e, cmd)

    lib = new_lib(rt, {"open": io_open, "close": io_close, "read": io_read, "write": io_write,
                       "flush": io_flush, "input": io_input, "output": io_output, "lines": io_lines,
                       "type": io_type, "tmpfile": io_tmpfile, "popen": io_popen}, "io")
    lib.rawset("stdin", stdin)
    lib.rawset("stdout", stdout)
    lib.rawset("stderr", stderr)
    return lib


class _StdOut:
    """The standard output as print sees it (the state's writer), so both keep their order."""

    def __init__(self, rt):
        self.rt = rt

    def write(self, data: bytes):
        self.rt.write(data.decode("latin-1"))

    def flush(self):
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass

    def seek(self, *_):
        raise OSError(_errno.ESPIPE, "Illegal seek")

    def close(self):
        pass


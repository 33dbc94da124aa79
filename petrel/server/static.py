"""Static files for directory routes: no Lua involved.

Paths are percent-decoded once, then every segment is checked: no ``..``, no empty or ``.``
tricks, no NUL, no backslash; the final file's real path (symlinks resolved) must stay under the
route's real root, and so must an ``index.html`` or a ``FILE.gz`` found next to it.

- A directory asked for with a trailing slash answers its ``index.html`` (404 without one: there
  are no listings); without the slash it answers 301 to the slash form, as nginx does.
- Conditional requests follow RFC 9110: If-None-Match (weak comparison) wins over
  If-Modified-Since; both give 304.
- Range (GET only): ranges are sorted and merged first (overlapping or adjacent ones). One range
  answers 206 with Content-Range; up to :data:`MAX_PARTS` disjoint ranges answer 206
  multipart/byteranges, unless that body would not be smaller than the file; then, and for more
  ranges, the whole file is answered with 200 (RFC 9110 lets a server ignore Range; this keeps
  many-small-ranges requests from costing more than the file). No satisfiable range, a range
  whose end is before its start, or ``bytes=-0`` answer 416 with ``Content-Range: bytes */SIZE``;
  a Range that is not ``bytes=...`` syntax, or has more than :data:`MAX_RANGES` parts, is ignored
  (200). If-Range with the file's ETag (strong comparison) or its exact Last-Modified date lets the
  range through, anything else answers the whole file.
- ``FILE.gz`` next to ``FILE`` is sent instead, with Content-Encoding: gzip and the original's
  Content-Type, when the client accepts gzip and the request has no Range (a range is always of
  the identity file); its ETag is its own. Vary: Accept-Encoding goes on every answer that
  depends on Accept-Encoding.
- ``cache_control`` of the route (``petrel.add_directory_route(path, root, {cache_control=...})``)
  goes on 200, 206 and 304 answers.
"""

from __future__ import annotations

import email.utils
import mimetypes
import os
import re
import secrets
import stat
from typing import Any, AsyncIterator
from urllib.parse import quote, unquote_to_bytes

import anyio

from ..messages import Request, Response
from .compress import GzipPolicy, accepts_gzip, add_vary

CHUNK = 256 * 1024
SMALL_FILE = 1024 * 1024   # read at once below this size, stream above it
MAX_RANGES = 100           # a Range header with more parts than this is ignored
MAX_PARTS = 16             # disjoint ranges answered as multipart/byteranges; more get the whole file
INDEX_FILE = "index.html"

_mime = mimetypes.MimeTypes()
_ENCODED_TYPES = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz",
                  "compress": "application/x-compress", "br": "application/x-brotli"}
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
_BIG = 10 ** 18   # any number with more digits than this is "beyond every file"


def content_type(path: str) -> str:
    kind, encoding = _mime.guess_type(path, strict=False)
    if encoding is not None:
        # x.css.gz is a gzip file when asked for by that name (its own bytes, not CSS).
        return _ENCODED_TYPES.get(encoding, "application/octet-stream")
    if kind is None:
        return "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                            "application/xml", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


def _inside(real_root: str, candidate: str) -> bool:
    return candidate == real_root or os.path.commonpath([candidate, real_root]) == real_root


def resolve(root: str, prefix: str, path: str) -> str | None:
    """The file under ``root`` that ``path`` (below ``prefix``) names, or None if it may not be served."""
    rest = path[len(prefix):]
    try:
        decoded = unquote_to_bytes(rest).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\0" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return None
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *parts))
    if not _inside(real_root, candidate):
        return None
    return candidate


def _beside(root: str, directory_or_file: str, name: str | None = None) -> tuple[str, os.stat_result] | None:
    """A regular file (``directory/name``, or ``file`` + ``.gz``) that stays under ``root``, with its stat."""
    joined = os.path.join(directory_or_file, name) if name else directory_or_file + ".gz"
    real = os.path.realpath(joined)
    if not _inside(os.path.realpath(root), real):
        return None
    try:
        info = os.stat(real)
    except OSError:
        return None
    return (real, info) if stat.S_ISREG(info.st_mode) else None


def _etag(info: os.stat_result, suffix: str = "") -> str:
    return f'"{info.st_mtime_ns:x}-{info.st_size:x}{suffix}"'


def _not_modified(request: Request, etag: str, mtime: int) -> bool:
    if_none_match = request.header("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        bare = etag.removeprefix("W/")
        return any(t == "*" or t.removeprefix("W/") == bare for t in tags)
    if_modified_since = request.header("if-modified-since")
    if if_modified_since is not None:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since is None:
            return False
        return mtime <= int(since.timestamp())
    return False


class Unsatisfiable(Exception):
    """The Range asks for nothing the file has (416)."""


def _number(digits: str) -> int:
    return _BIG if len(digits) > 18 else int(digits)


def parse_range(header: str, size: int) -> list[tuple[int, int]] | None:
    """The byte ranges (first, last inclusive) a Range header asks of a ``size``-byte file, sorted and
    merged; None when the header is to be ignored. Raises Unsatisfiable for a 416."""
    unit, eq, specs = header.partition("=")
    if not eq or unit.strip().lower() != "bytes":
        return None
    parts = [part.strip() for part in specs.split(",")]
    parts = [part for part in parts if part]
    if not parts or len(parts) > MAX_RANGES:
        return None
    wanted: list[tuple[int, int]] = []
    for part in parts:
        match = _RANGE_SPEC.fullmatch(part)
        if match is None or not (match.group(1) or match.group(2)):
            return None   # not range syntax: the whole header is ignored
        first_text, last_text = match.groups()
        if first_text:
            first = _number(first_text)
            last = _number(last_text) if last_text else _BIG
            if last < first:
                raise Unsatisfiable()   # invalid range-spec (RFC 9110 14.1.1)
            if first >= size:
                continue                # unsatisfiable; others may still be
            wanted.append((first, min(last, size - 1)))
        else:
            suffix = _number(last_text)
            if suffix == 0 or size == 0:
                continue
            wanted.append((max(0, size - suffix), size - 1))
    if not wanted:
        raise Unsatisfiable()
    wanted.sort()
    merged = [wanted[0]]
    for first, last in wanted[1:]:
        top_first, top_last = merged[-1]
        if first <= top_last + 1:
            merged[-1] = (top_first, max(top_last, last))
        else:
            merged.append((first, last))
    return merged


def _if_range_holds(request: Request, etag: str, mtime: int) -> bool:
    value = request.header("if-range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == etag and not etag.startswith("W/")   # strong comparison
    try:
        date = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return False
    return date is not None and int(date.timestamp()) == mtime


async def _stream(path: str, offset: int, size: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as handle:
        if offset:
            await handle.seek(offset)
        remaining = size
        while remaining > 0:
            chunk = await handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def _read_part(path: str, offset: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def _plain(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, [*(headers or []), ("content-type", "text/plain; charset=utf-8")], text.encode())


def _not_found() -> Response:
    return _plain(404, "404 Not Found\n")


def _redirect_to_directory(request: Request) -> Response:
    # The path as it was sent (still percent-encoded), one leading slash: never "//host/...".
    location = "/" + request.path.lstrip("/") + "/"
    if request.query:
        location += "?" + request.query
    # What a parser let through beyond printable ASCII (spaces, UTF-8 bytes) is percent-encoded.
    raw = location.encode("latin-1") if max(map(ord, location)) < 256 else location.encode("utf-8")
    location = quote(raw, safe="!#$%&'()*+,-./:;=?@[]_~")
    return _plain(301, "301 Moved Permanently\n", [("location", location)])


def _locate(root: str, prefix: str, request: Request) -> Any:
    """(path, stat, (gz path, gz stat) or None) of the file to serve, or a Response (404, 301)."""
    path = resolve(root, prefix, request.path)
    if path is None:
        return _not_found()
    try:
        info = os.stat(path)
    except OSError:
        return _not_found()
    if stat.S_ISDIR(info.st_mode):
        if not request.path.endswith("/"):
            return _redirect_to_directory(request)
        found = _beside(root, path, INDEX_FILE)
        if found is None:
            return _not_found()
        path, info = found
    elif not stat.S_ISREG(info.st_mode) or request.path.endswith("/"):
        return _not_found()   # (a file asked for as a directory: "/static/a.txt/")
    return path, info, _beside(root, path)


async def serve_file(request: Request, route: Any, gzip: GzipPolicy) -> Response:
    """Answer ``request`` from the directory route ``route`` (prefix, directory, cache_control).

    Everything that touches the file system (resolving, stat, reading a file up to 1 MiB) happens
    in one worker thread; a bigger body streams from the file afterwards."""
    if request.method not in ("GET", "HEAD"):
        return _plain(405, "405 Method Not Allowed\n", [("allow", "GET, HEAD")])
    return await anyio.to_thread.run_sync(_answer, request, route, gzip)


class _Changed(Exception):
    """The file's size changed between its stat and its read (being written, or replaced)."""


def _answer(request: Request, route: Any, gzip: GzipPolicy) -> Response:
    for _ in range(3):
        try:
            return _answer_once(request, route, gzip)
        except _Changed:
            continue   # stat again: a file replaced by a rename is read whole the next time
    return _plain(503, "503 Service Unavailable\nthe file is being changed\n", [("retry-after", "1")])


def _answer_once(request: Request, route: Any, gzip: GzipPolicy) -> Response:
    located = _locate(route.directory, route.prefix, request)
    if isinstance(located, Response):
        return located
    path, info, gz = located
    kind = content_type(path)
    ranged = request.method == "GET" and request.header("range") is not None
    common: list[tuple[str, str]] = []
    if route.cache_control:
        common.append(("cache-control", route.cache_control))
    size_fits = gzip.min_size <= info.st_size <= SMALL_FILE
    compressible = gzip.compressible_type(kind)
    if gz is not None or (compressible and size_fits):
        common = add_vary(common)
    encoding = None
    if gz is not None and not ranged and accepts_gzip(request):
        path, info = gz
        encoding = "gzip"
    etag = _etag(info, "-gz" if encoding else "")
    mtime = int(info.st_mtime)
    # The ETag of a body the response compression will change is weak (see compress.py).
    if encoding is None and compressible and size_fits and not ranged and accepts_gzip(request):
        etag = "W/" + etag
    validators = [("last-modified", email.utils.formatdate(mtime, usegmt=True)), ("etag", etag)]
    if _not_modified(request, etag, mtime):
        return Response(304, validators + common)
    if encoding is not None:
        etag_out = etag
    else:
        etag_out = etag.removeprefix("W/")   # compression weakens it again when it applies
    headers = [("last-modified", validators[0][1]), ("etag", etag_out), ("content-type", kind),
               ("accept-ranges", "bytes"), *common]
    if encoding is not None:
        headers.append(("content-encoding", encoding))
    size = info.st_size
    if ranged and _if_range_holds(request, etag_out, mtime):
        try:
            ranges = parse_range(request.header("range") or "", size)
        except Unsatisfiable:
            return _plain(416, "416 Range Not Satisfiable\n",
                          [("content-range", f"bytes */{size}"), ("accept-ranges", "bytes")])
        if ranges is not None and len(ranges) == 1:
            first, last = ranges[0]
            length = last - first + 1
            headers.append(("content-range", f"bytes {first}-{last}/{size}"))
            return _body(206, headers, path, first, length, size)
        if ranges is not None and len(ranges) <= MAX_PARTS:
            multipart = _multipart(headers, path, ranges, size, kind)
            if multipart is not None:
                return multipart
    if request.method == "HEAD" and not (encoding is None and compressible and size_fits):
        return Response(200, headers, b"", content_length=size)
    # (A HEAD of a file the response compression may change reads it, so that its headers are the
    # ones GET gets; the body is not sent.)
    return _body(200, headers, path, 0, size, size)


def _multipart(headers: list[tuple[str, str]], path: str, ranges: list[tuple[int, int]], size: int,
               kind: str) -> Response | None:
    """206 multipart/byteranges (RFC 9110 14.6) for disjoint ranges; None when that body would not be
    smaller than the file (many tiny ranges): then the whole file is the cheaper answer."""
    boundary = secrets.token_hex(12)
    heads = [(("\r\n" if i else "") + f"--{boundary}\r\ncontent-type: {kind}\r\n"
              f"content-range: bytes {first}-{last}/{size}\r\n\r\n").encode("latin-1")
             for i, (first, last) in enumerate(ranges)]
    tail = f"\r\n--{boundary}--\r\n".encode("latin-1")
    total = sum(map(len, heads)) + sum(last - first + 1 for first, last in ranges) + len(tail)
    if total >= size:
        return None
    headers = [(name, f"multipart/byteranges; boundary={boundary}" if name == "content-type" else value)
               for name, value in headers]
    if total > SMALL_FILE:
        return Response(206, headers, stream=_stream_parts(path, heads, ranges, tail), content_length=total)
    pieces = []
    try:
        with open(path, "rb") as handle:
            for head, (first, last) in zip(heads, ranges):
                handle.seek(first)
                data = handle.read(last - first + 1)
                if len(data) != last - first + 1:
                    raise _Changed()
                pieces += (head, data)
    except OSError:
        return _not_found()
    pieces.append(tail)
    return Response(206, headers, b"".join(pieces))


async def _stream_parts(path: str, heads: list[bytes], ranges: list[tuple[int, int]],
                        tail: bytes) -> AsyncIterator[bytes]:
    for head, (first, last) in zip(heads, ranges):
        yield head
        part = _stream(path, first, last - first + 1)
        try:
            async for chunk in part:
                yield chunk
        finally:
            await part.aclose()   # its file is closed now, also when the client went away
    yield tail


def _body(status: int, headers: list[tuple[str, str]], path: str, offset: int, length: int,
          size: int) -> Response:
    if length > SMALL_FILE:
        return Response(status, headers, stream=_stream(path, offset, length), content_length=length)
    to_end = offset + length == size   # then one byte more tells whether the file grew
    try:
        body = _read_part(path, offset, length + to_end)
    except OSError:
        return _not_found()
    if len(body) != length:   # the headers made from the stat would be wrong
        raise _Changed()
    return Response(status, headers, body)

"""Static files for directory routes: no Lua involved.

Paths are percent-decoded once, then every segment is checked: no ``..``, no empty or ``.``
tricks, no NUL, no backslash; the final file's real path (symlinks resolved) must stay under the
route's real root. Conditional requests follow RFC 9110: If-None-Match (weak comparison) wins over
If-Modified-Since; both give 304.
"""

from __future__ import annotations

import email.utils
import mimetypes
import os
import stat
from typing import AsyncIterator
from urllib.parse import unquote_to_bytes

import anyio

from ..messages import Request, Response

CHUNK = 256 * 1024
SMALL_FILE = 1024 * 1024   # read at once below this size, stream above it

_mime = mimetypes.MimeTypes()


def content_type(path: str) -> str:
    kind, encoding = _mime.guess_type(path, strict=False)
    if kind is None:
        return "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                            "application/xml", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


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
    if candidate != real_root and os.path.commonpath([candidate, real_root]) != real_root:
        return None
    return candidate


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


async def _stream(path: str, size: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as handle:
        remaining = size
        while remaining > 0:
            chunk = await handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


async def serve_file(request: Request, prefix: str, root: str) -> Response:
    if request.method not in ("GET", "HEAD"):
        return Response(405, [("allow", "GET, HEAD"), ("content-type", "text/plain; charset=utf-8")],
                        b"405 Method Not Allowed\n")
    path = resolve(root, prefix, request.path)
    if path is None:
        return Response(404, [("content-type", "text/plain; charset=utf-8")], b"404 Not Found\n")
    try:
        info = await anyio.to_thread.run_sync(os.stat, path)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        return Response(404, [("content-type", "text/plain; charset=utf-8")], b"404 Not Found\n")
    mtime = int(info.st_mtime)
    etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
    headers = [
        ("last-modified", email.utils.formatdate(mtime, usegmt=True)),
        ("etag", etag),
        ("content-type", content_type(path)),
    ]
    if _not_modified(request, etag, mtime):
        return Response(304, headers[:2])
    if request.method == "HEAD":
        return Response(200, headers, b"", content_length=info.st_size)
    if info.st_size <= SMALL_FILE:
        try:
            body = await anyio.Path(path).read_bytes()
        except OSError:
            return Response(404, [("content-type", "text/plain; charset=utf-8")], b"404 Not Found\n")
        return Response(200, headers, body)
    return Response(200, headers, stream=_stream(path, info.st_size), content_length=info.st_size)

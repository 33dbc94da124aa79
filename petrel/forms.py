"""Request bodies as forms: ``application/x-www-form-urlencoded`` and ``multipart/form-data``.

Engine-neutral and sans-IO: :func:`parse_body` takes the body a protocol already read (bounded by
``server.max-body-size``) and its Content-Type, and gives the fields and the file parts as bytes,
in the order they were sent. Multipart bodies are parsed by the ``multipart`` library's push
parser, with its limits on the number of parts and the size of their headers. Anything malformed
is a :class:`FormError` whose message says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import multipart

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# RFC 7578 4.4: a part without a Content-Type is text/plain.
DEFAULT_PART_TYPE = b"text/plain"


class FormError(Exception):
    """The body does not parse as the form its Content-Type says it is."""


@dataclass(frozen=True, slots=True)
class FilePart:
    name: bytes
    filename: bytes
    content_type: bytes
    content: bytes


@dataclass(frozen=True, slots=True)
class Form:
    fields: list[tuple[bytes, bytes]]   # (name, value), repeated names kept, in body order
    files: list[FilePart]


EMPTY = Form([], [])


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lower-case, without parameters."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def parse_body(content_type: str | None, body: bytes, max_parts: int) -> Form:
    """The form in ``body``; an empty form for any other media type (a JSON body, no body)."""
    kind = media_type(content_type)
    if kind == URLENCODED:
        return _urlencoded(body, max_parts)
    if kind == MULTIPART:
        assert content_type is not None
        return _multipart(content_type, body, max_parts)
    return EMPTY


def _urlencoded(body: bytes, max_parts: int) -> Form:
    if not body:
        return EMPTY
    # Latin-1 both ways: every byte, percent-decoded or not, comes back as itself.
    try:
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1",
                          max_num_fields=max_parts)
    except ValueError:
        raise FormError(f"more than server.max-form-parts ({max_parts}) form fields") from None
    return Form([(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs], [])


def _multipart(content_type: str, body: bytes, max_parts: int) -> Form:
    _, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise FormError("multipart/form-data body without a boundary in its Content-Type")
    fields: list[tuple[bytes, bytes]] = []
    files: list[FilePart] = []
    try:
        parser = multipart.PushMultipartParser(boundary, content_length=len(body),
                                               max_segment_count=max_parts, strict=True)
        events = list(parser.parse(body))
        parser.close()
    except multipart.ParserLimitReached as exc:
        if str(exc) == "Maximum segment count exceeded":
            raise FormError(f"more than server.max-form-parts ({max_parts}) multipart parts") from None
        raise FormError(f"malformed multipart body: {exc}") from None
    except multipart.MultipartError as exc:
        reason = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        if len(exc.args) > 1 and isinstance(exc.args[1], UnicodeError):
            reason += " (not UTF-8)"
        raise FormError(f"malformed multipart body: {reason}") from None
    for event in events:
        if isinstance(event, multipart.MultipartSegment):
            segment, chunks = event, []
        elif event is None:
            assert segment is not None
            _add_part(segment, b"".join(chunks), fields, files)
            segment = None
        else:
            chunks.append(event)
    return Form(fields, files)


def _add_part(segment: "multipart.MultipartSegment", content: bytes,
              fields: list[tuple[bytes, bytes]], files: list[FilePart]) -> None:
    name = (segment.name or "").encode("utf-8", "surrogateescape")
    if segment.filename is None:
        fields.append((name, content))
        return
    content_type = next((value for key, value in segment.headerlist if key.lower() == "content-type"),
                        None)
    files.append(FilePart(name, segment.filename.encode("utf-8", "surrogateescape"),
                          content_type.encode("utf-8", "surrogateescape") if content_type
                          else DEFAULT_PART_TYPE, content))

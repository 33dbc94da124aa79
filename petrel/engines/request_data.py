"""What a handler reads of its request only when it asks: the form, the uploaded files and the
values of a repeated header.

The sandbox's request table gets ``form``, ``files``, ``form_list``, ``file_list`` and
``header_list`` through its metatable; the first access calls the engine's ``request_data`` hook,
which asks the state's :class:`RequestData` (it holds the request the state is serving). A handler
that touches none of them costs nothing more than that metatable. The body is parsed once per
request, on the first access, and answers are flat lists of bytes the sandbox makes tables of:

=================  ===============================================================
kind               answer
=================  ===============================================================
``form``           name, value, name, value... every field, in body order
``form_list``      every value of the field ``name``
``files``          name, filename, content type, content... every file part
``file_list``      the same, for the parts named ``name`` only
``header_list``    every value of the request header ``name`` (any case)
=================  ===============================================================

A body that does not parse is a :class:`~petrel.forms.FormError`: the hook gives the sandbox its
message, the sandbox raises it as a Lua error at the handler's line, and if the handler does not
catch it the client is answered 400 (:meth:`RequestData.failure`).
"""

from __future__ import annotations

import logging

from ..forms import Form, FormError, parse_body
from ..messages import Request
from .base import HandlerError

log = logging.getLogger("petrel.lua")

DEFAULT_MAX_PARTS = 1000
INTERNAL = "request data: internal error (the server log has the details)"


class BadRequestBody(HandlerError):
    """The handler read ``request.form`` or ``request.files`` of a malformed body and did not
    catch the error: the client is answered 400."""

    status = 400


class RequestData:
    __slots__ = ("request", "form", "error", "max_parts")

    def __init__(self, max_parts: int = DEFAULT_MAX_PARTS) -> None:
        self.request: Request | None = None
        self.form: Form | None = None
        self.error: str | None = None
        self.max_parts = max_parts

    def clear(self) -> None:
        self.request = None
        self.form = None
        self.error = None

    def answer(self, kind: str, name: bytes | None) -> tuple[bool, list[bytes] | str]:
        """(True, values) or (False, the message of the Lua error to raise)."""
        try:
            return True, self.lookup(kind, name)
        except FormError as exc:
            self.error = str(exc)
            return False, self.error
        except Exception:
            log.error("request data '%s' failed", kind, exc_info=True)
            return False, INTERNAL

    def lookup(self, kind: str, name: bytes | None) -> list[bytes]:
        request = self.request
        if request is None:   # outside a handler call
            return []
        if kind == "header_list":
            wanted = (name or b"").decode("latin-1").lower()
            return [value.encode("latin-1") for key, value in request.headers if key == wanted]
        form = self.form
        if form is None:
            form = self.form = parse_body(request.header("content-type"), request.content,
                                          self.max_parts)
        if kind == "form":
            flat: list[bytes] = []
            for key, value in form.fields:
                flat.append(key)
                flat.append(value)
            return flat
        if kind == "form_list":
            return [value for key, value in form.fields if key == name]
        if kind in ("files", "file_list"):
            flat = []
            for part in form.files:
                if kind == "files" or part.name == name:
                    flat.extend((part.name, part.filename, part.content_type, part.content))
            return flat
        raise ValueError(f"unknown request data {kind!r}")

    def failure(self, error: HandlerError) -> HandlerError:
        """``error`` as a 400 when it is the uncaught error of a malformed body."""
        if self.error is not None and self.error in error.reason:
            return BadRequestBody(error.handler, error.reason, error.traceback)
        return error

"""The HTTP/1.1 parsers every HTTP/1.1 test runs on: a fixture, and the protocol classes.

httptools is optional (the ``fast`` extra); where it is not installed its variants are skipped,
so the pure-Python run tests h11 alone.
"""

from __future__ import annotations

import pytest

from petrel.server.protocol.http11 import H11Protocol, httptools_available

PARSERS = [pytest.param("h11", id="h11"), pytest.param("httptools", id="httptools")]


def protocol_for(parser: str) -> type:
    if parser == "h11":
        return H11Protocol
    if not httptools_available():
        pytest.skip("httptools is not installed")
    from petrel.server.protocol.http11_httptools import HttptoolsProtocol
    return HttptoolsProtocol


@pytest.fixture(params=PARSERS)
def http1_parser(request) -> str:
    """The value of --server.http1-parser for this test's server."""
    protocol_for(request.param)   # skips httptools where it is missing
    return request.param

"""TLS on the HTTP port: the server's SSL context and the handshake of one connection.

When ``server.http2.tls`` is on, a connection whose first byte is a TLS handshake record (0x16) is
wrapped in TLS; ALPN then says whether it speaks ``h2`` or ``http/1.1``. Plain-text connections keep
working on the same port. The handshake goes through :class:`anyio.streams.tls.TLSStream`; the
bytes read to sniff the connection are replayed to it first.
"""

from __future__ import annotations

import ssl
from typing import Any, Mapping

import anyio
from anyio.abc import ByteStream
from anyio.streams.tls import TLSAttribute, TLSStream

ALPN_PROTOCOLS = ["h2", "http/1.1"]


class TLSSetupError(Exception):
    """The key or certificate cannot be used; worded for the person who configured them."""


def server_context(key_file: str, crt_file: str) -> ssl.SSLContext:
    """A server context offering ALPN h2 and http/1.1, with what RFC 9113 9.2 asks of TLS for h2."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # TLS 1.2 with h2: ephemeral key exchange and AEAD ciphers only (RFC 9113 9.2.2).
    context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20")
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_alpn_protocols(ALPN_PROTOCOLS)
    try:
        context.load_cert_chain(crt_file, key_file)
    except FileNotFoundError as exc:
        raise TLSSetupError(f"cannot read {exc.filename}: {exc.strerror}") from None
    except ssl.SSLError as exc:
        raise TLSSetupError(f"options 'server.http2.crt-file' ({crt_file}) and 'server.http2.key-file' "
                            f"({key_file}): not a PEM certificate chain and its private key "
                            f"({exc.reason or exc})") from None
    except OSError as exc:
        raise TLSSetupError(f"cannot load {crt_file} / {key_file}: {exc.strerror or exc}") from None
    return context


class ReplayStream(ByteStream):
    """A byte stream that first gives back bytes already read from it.

    Sends are serialised: TLSStream may write from its receive path (TLS 1.3 key updates) while a
    response is being written from another task.
    """

    def __init__(self, stream: Any, replay: bytes) -> None:
        self._stream = stream
        self._replay = replay
        self._send_lock = anyio.Lock()

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if self._replay:
            data, self._replay = self._replay[:max_bytes], self._replay[max_bytes:]
            return data
        return await self._stream.receive(max_bytes)

    async def send(self, item: bytes) -> None:
        async with self._send_lock:
            await self._stream.send(item)

    async def send_eof(self) -> None:
        await self._stream.send_eof()

    async def aclose(self) -> None:
        await self._stream.aclose()

    @property
    def extra_attributes(self) -> Mapping[Any, Any]:
        return self._stream.extra_attributes


async def start_tls(stream: Any, first_bytes: bytes, context: ssl.SSLContext) -> tuple[TLSStream, str]:
    """Do the server side of the handshake; return the TLS stream and the ALPN protocol chosen.

    Raises ssl.SSLError or an anyio stream error when the handshake fails.
    """
    tls = await TLSStream.wrap(ReplayStream(stream, first_bytes), server_side=True, ssl_context=context,
                               standard_compatible=False)
    return tls, tls.extra(TLSAttribute.alpn_protocol) or "http/1.1"

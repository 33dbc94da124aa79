"""Networking below the core and the libraries: the DNS cache (outbound calls), the error texts
of failed sockets, and the server connections' stream on the asyncio transport
(:mod:`.transport_stream`)."""

from .dns import DNSCache, DNSError

__all__ = ["DNSCache", "DNSError"]

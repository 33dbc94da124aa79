"""Outbound networking shared by the libraries: the DNS cache."""

from .dns import DNSCache, DNSError

__all__ = ["DNSCache", "DNSError"]

"""Sans-IO protocol code: bytes in, request events out; responses in, bytes out. No sockets here."""

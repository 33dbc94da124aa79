"""The server core: listener, protocols, router, static files, state buffer."""

from .. import __version__

SERVER_HEADER = f"petrel/{__version__}"

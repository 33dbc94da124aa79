"""Tools for writing and debugging a service: ``petrel run``, ``check``, ``repl``, ``options``,
``--trace``, and the devmode reload and error page (petrel.server.devmode)."""

"""The run directory: files the worker processes of one server share (the embedded store, the
cross-worker metrics), made when the server starts and removed when it stops."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from typing import Any

SHM = "/dev/shm"
EMBEDDED_FILE = "shared.sqlite3"


def make_run_dir() -> str:
    """A fresh private directory, in memory (``/dev/shm``) where the system has it."""
    base = SHM if os.path.isdir(SHM) and os.access(SHM, os.W_OK) else None
    return tempfile.mkdtemp(prefix="petrel-", dir=base)


def remove_run_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def shared_config(config: Any, run_dir: str) -> Any:
    """``config`` with the embedded store's file in ``run_dir`` unless ``shared.path`` names one, so
    that every worker started with it opens the same database."""
    if config.shared_path or config.shared_backend != "embedded":
        return config
    return dataclasses.replace(config, shared_path=os.path.join(run_dir, EMBEDDED_FILE))

"""What every output shares: its error, and writing a file so that no half-written one is left."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from dashboard.problems import ExportError, writing

__all__ = ["ExportError", "write_atomic"]


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` through a temporary file beside it, so a failure leaves no stub."""
    with writing(path):
        return _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        # mkstemp makes owner-only files; pages and images are meant to be read by others
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path

"""Serving the app: gunicorn in-process with N worker processes, each with its own app.

Nothing per user lives on the server (the view is in the URL), so any worker can answer any
request and `--workers` scales across cores.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

THREADS = 4  # per worker; open pages poll their file every 1.5 s, so requests are short


class DashboardServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from Python rather than its command line."""

    def __init__(self, folder: Path, options: dict[str, Any], dates: str = "exact") -> None:
        self.folder = folder
        self.dates = dates
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options given to the constructor."""
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        """The WSGI application; built in each worker, after the fork."""
        from dashboard.app import create_app

        return create_app(self.folder, self.dates).server


def bind_address(host: str, port: int) -> str:
    """gunicorn's bind string; IPv6 addresses go in brackets."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class ServeError(Exception):
    """The dashboard cannot listen where it was asked to."""


def check_address(host: str, port: int) -> None:
    """Fail with a plain message, before gunicorn starts, when host:port cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {port} on {host} is already in use (is clinical-course already "
                    f"running?); stop the other program or choose another port: --port {port + 1}"
                ) from None
            raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def run(
    folder: str | os.PathLike[str], *, host: str, port: int, workers: int, dates: str = "exact"
) -> None:
    """Serve until interrupted; debug and reloading are always off."""
    check_address(host, port)
    options = {
        "bind": bind_address(host, port),
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": 60,
        "graceful_timeout": 5,
        "loglevel": "warning",
        "accesslog": None,
        "reload": False,
        "preload_app": False,
        "proc_name": "clinical-course",
    }
    DashboardServer(Path(folder), options, dates).run()

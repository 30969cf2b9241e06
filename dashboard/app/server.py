"""Serving the app: gunicorn in-process with N worker processes, each with its own app.

Nothing per user lives on the server (the view is in the URL), so any worker can answer any
request and `--workers` scales across cores. A worker whose request runs over its time is
replaced, so the others keep answering; workers are also renewed after a number of requests.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

from dashboard.app.gather import GatheringWorker
from dashboard.dates import DatePolicy
from dashboard.problems import CourseError

if TYPE_CHECKING:
    from dashboard.app.editing import Editing

# Threads per worker: open pages poll their file every 1.5 s, so most requests are short;
# enough of them that a few requests drawing a very large case leave others for the rest.
THREADS = 16
KEEPALIVE = 10  # seconds a connection may wait for its next request (it holds no thread)
REQUEST_LIMIT = 60.0  # seconds; case budgets keep any page far below it
MAX_REQUESTS = 2000  # then a worker is renewed (jittered, so they do not all restart at once)
MAX_REQUESTS_JITTER = 200
# The first reading of a folder yields the cores to the workers' answers, but not wholly: at
# niceness 4 the kernel gives its processes some 40 % of the weight of an answering one (at
# 10, 11 %, and the index of a folder read under load filled several times slower).
READING_NICENESS = 4

log = logging.getLogger("clinical-course")


class DashboardServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from Python rather than its command line."""

    def __init__(
        self,
        folder: Path,
        options: dict[str, Any],
        dates: DatePolicy | str = "exact",
        editing: Editing | None = None,
    ) -> None:
        self.folder = folder
        self.dates = DatePolicy.of(dates)  # made before the fork: every worker shifts alike
        self.editing = editing  # made before the fork: every worker signs with the same secret
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options given to the constructor."""
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        """The WSGI application; built in each worker, after the fork."""
        from dashboard.app import create_app

        return create_app(self.folder, self.dates, self.editing).server


class RequestWatch:
    """Watches the requests of one worker; the first one running over `limit` seconds ends
    the worker's process, and gunicorn starts a fresh one in its place.

    gunicorn's own timeout cannot do this for threaded workers: their heartbeat runs beside
    the requests, so a stuck request never misses it.
    """

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._started: dict[int, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def begin(self, path: str) -> None:
        """A request starts on this thread."""
        with self._lock:
            self._started[threading.get_ident()] = (time.monotonic(), path)

    def end(self) -> None:
        """This thread's request is answered."""
        with self._lock:
            self._started.pop(threading.get_ident(), None)

    def overdue(self) -> str | None:
        """The path of a request running over the limit, if any."""
        now = time.monotonic()
        with self._lock:
            for started, path in self._started.values():
                if now - started > self.limit:
                    return path
        return None

    def start(self) -> None:
        """Check twice a second, in a thread of the worker's own."""

        def watch() -> None:
            while True:
                time.sleep(0.5)
                path = self.overdue()
                if path is not None:
                    log.error(
                        "a request for %s ran over %g s; restarting this worker (pid %d)",
                        path[:200],
                        self.limit,
                        os.getpid(),
                    )
                    logging.shutdown()
                    os._exit(1)  # (not 3 or 4: gunicorn would take those for a failed boot)

        threading.Thread(target=watch, name="request-watch", daemon=True).start()


def _watch_hooks(limit: float) -> dict[str, Any]:
    """gunicorn hooks that give each worker its own `RequestWatch`."""
    watches: dict[int, RequestWatch] = {}

    def post_worker_init(worker: Any) -> None:
        watch = watches[os.getpid()] = RequestWatch(limit)
        watch.start()

    def pre_request(worker: Any, request: Any) -> None:
        watches[os.getpid()].begin(str(getattr(request, "path", "")))

    def post_request(worker: Any, request: Any, environ: Any, response: Any) -> None:
        watches[os.getpid()].end()

    return {
        "post_worker_init": post_worker_init,
        "pre_request": pre_request,
        "post_request": post_request,
    }


def is_loopback(host: str) -> bool:
    """True when `host` is an address (or name) only this machine can reach."""
    name = host.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bind_address(host: str, port: int) -> str:
    """gunicorn's bind string; IPv6 addresses go in brackets."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class ServeError(CourseError):
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


def warm_cache(folder: Path) -> None:
    """Bring the folder's catalogue cache up to date, saying how far it has got beside the
    cache so that the workers, already answering, can show it and take in what is read.

    Each worker then reads the cache instead of parsing every file itself.
    """
    from dashboard.catalogue import Catalogue
    from dashboard.catalogue.store import end_progress, write_progress

    catalogue = Catalogue(folder)
    cache = catalogue.cache_file
    done, total, shown = 0, 0, time.monotonic()

    def started(count: int) -> None:
        nonlocal total
        total = count
        if cache is not None:
            write_progress(cache, 0, total, os.getpid())

    def advance(count: int) -> None:
        nonlocal done, shown
        done += count
        if cache is not None and time.monotonic() - shown > 0.5:
            write_progress(cache, done, total, os.getpid())
            shown = time.monotonic()

    try:
        catalogue.refresh(advance, started)
    finally:
        catalogue.close()
        if cache is not None:
            end_progress(cache)


def start_reading(folder: Path) -> int:
    """Read the folder in a process of its own (its id returned), tied to this one, while
    this one serves; the workers are told a reading is under way before any of them starts."""
    from dashboard.catalogue import cache_path, is_case_name
    from dashboard.catalogue.store import write_progress
    from dashboard.workers import bind_to_parent

    try:
        files = sum(is_case_name(entry.name) for entry in os.scandir(folder))
    except OSError:
        files = 0
    parent = os.getpid()
    # said before the reader starts, which then says it in its own name
    write_progress(cache_path(folder), 0, files, parent)
    # A bare fork, not multiprocessing: gunicorn's workers are forked from this process too,
    # and would take a multiprocessing child for their own at exit.
    reader = os.fork()
    if reader == 0:
        code = 1
        try:
            bind_to_parent(parent)
            os.nice(READING_NICENESS)  # answering comes first; its workers inherit this
            warm_cache(folder)
            code = 0
        except BaseException:
            log.exception("reading %s failed", folder)
        finally:
            os._exit(code)
    # Reaped as soon as it ends, also when it ends before gunicorn listens for its children.
    threading.Thread(target=_reap, args=(reader,), name="reap-reading", daemon=True).start()
    return reader


def _reap(reader: int) -> None:
    with contextlib.suppress(ChildProcessError):  # (gunicorn reaped it first)
        os.waitpid(reader, 0)


def stop_reading(reader: int) -> None:
    """End a reading still under way (the server is stopping)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(reader, signal.SIGTERM)


def run(
    folder: str | os.PathLike[str],
    *,
    host: str,
    port: int,
    workers: int,
    request_limit: float = REQUEST_LIMIT,
    dates: DatePolicy | str = "exact",
    editing: Editing | None = None,
) -> None:
    """Serve until interrupted; debug and reloading are always off."""
    check_address(host, port)
    reader = start_reading(Path(folder))
    options = {
        "bind": bind_address(host, port),
        "workers": workers,
        # gthread, but a thread takes a request only once it has all arrived: clients
        # sending theirs a byte at a time cannot leave none for the others
        "worker_class": GatheringWorker,
        "threads": THREADS,
        "keepalive": KEEPALIVE,
        "timeout": 60,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS_JITTER,
        **_watch_hooks(request_limit),
        "graceful_timeout": 5,
        "loglevel": "warning",
        "accesslog": None,
        "reload": False,
        "preload_app": False,
        "proc_name": "clinical-course",
    }
    parent = os.getpid()
    try:
        DashboardServer(Path(folder), options, dates, editing).run()
    finally:
        if os.getpid() == parent:  # (not in a worker leaving through here)
            stop_reading(reader)

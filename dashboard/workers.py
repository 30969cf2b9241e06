"""Worker processes for the many files of an export or a first reading of a folder: results
in order, and never orphaned.

Workers wait on a pipe that they hold open themselves, so a killed export would leave them
waiting for ever. Each worker is therefore tied to the process that started it: on Linux the
kernel kills it when that process dies (`PR_SET_PDEATHSIG`); elsewhere it looks every second
whether its parent is still there and ends itself when it is not.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

# Fewer jobs than this are run in this process: starting workers would cost more. A page
# takes a tenth of a second to write, a file a few milliseconds to parse.
PARALLEL_FROM = 32
PARSE_PARALLEL_FROM = 200
_PR_SET_PDEATHSIG = 1
_ORPHAN_CHECK_SECONDS = 1.0

Run = Callable[..., Iterator[Any]]


@contextmanager
def pool(workers: int | None, jobs: int, parallel_from: int = PARALLEL_FROM) -> Iterator[Run]:
    """A `map` over worker processes, one per core (or this one, for fewer jobs than
    `parallel_from` or `workers=1`), whose results come back in order, for the parent to
    write."""
    if workers is None:
        workers = cores() if jobs >= parallel_from else 1
    if workers <= 1:
        yield serial
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=bind_to_parent, initargs=(os.getpid(),)
    ) as executor:

        def parallel(
            function: Callable[..., Any], jobs: Iterable[tuple[Any, ...]], **keywords: Any
        ) -> Iterator[Any]:
            listed = list(jobs)
            chunk = max(1, min(16, len(listed) // (workers * 4)))
            calls = [(function, job, keywords) for job in listed]
            return executor.map(_call, calls, chunksize=chunk)

        yield parallel


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def serial(
    function: Callable[..., Any], jobs: Iterable[tuple[Any, ...]], **keywords: Any
) -> Iterator[Any]:
    """The same `map`, in this process."""
    return (function(*job, **keywords) for job in jobs)


def _call(call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]) -> Any:
    function, job, keywords = call
    return function(*job, **keywords)


def bind_to_parent(parent: int) -> None:
    """End this worker when `parent` ends (run in each worker as it starts)."""
    if not _die_with_parent():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before this worker was tied to it
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to kill this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_ORPHAN_CHECK_SECONDS)
    os._exit(1)

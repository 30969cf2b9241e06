"""Keeping a catalogue current: file events from watchfiles, a full look now and then."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.catalogue import Catalogue

RESCAN_SECONDS = 10.0  # a full look at the folder even when file events come


def watch(
    catalogue: Catalogue, stop: threading.Event, *, poll_seconds: float = 1.0
) -> threading.Thread:
    """Keep `catalogue` up to date from file events (polling where events are unavailable).

    Returns once the watcher is in place, after one more look at the whole folder, so no
    change made in between is missed.
    """
    ready = threading.Event()
    next_look = [0.0]

    def changes() -> Iterator[set[str] | None]:
        try:
            import watchfiles

            for force_polling in (None, True):  # None: watchfiles decides (and reads its env)
                try:
                    for batch in watchfiles.watch(
                        catalogue.folder,
                        stop_event=stop,
                        recursive=False,
                        force_polling=force_polling,
                        poll_delay_ms=int(poll_seconds * 1000),
                        debounce=100,
                        step=20,
                        rust_timeout=200,
                        yield_on_timeout=True,
                        raise_interrupt=False,
                        ignore_permission_denied=True,
                    ):
                        if not ready.is_set() or time.monotonic() > next_look[0]:
                            # Watching now, or a while since: look at everything once more
                            # (a shared disk may not report other machines' changes).
                            next_look[0] = time.monotonic() + RESCAN_SECONDS
                            yield None
                            ready.set()
                        if batch:
                            yield {Path(path).name for _, path in batch}
                    return
                except (OSError, RuntimeError):
                    continue
        except ImportError:
            pass
        ready.set()
        while not stop.wait(poll_seconds):  # plain polling: stat every file
            yield None

    def run() -> None:
        for names in changes():
            try:
                if names is None:
                    catalogue.refresh()
                else:
                    catalogue.update(names)
            except Exception:  # a watcher that dies would leave the index stale for good
                continue
        ready.set()

    thread = threading.Thread(target=run, name="clinical-course-watch", daemon=True)
    thread.start()
    ready.wait(timeout=10)
    return thread

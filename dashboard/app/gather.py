"""gunicorn's threaded worker, except that a request is gathered whole before a thread takes it.

gunicorn's `gthread` worker gives a connection to one of its threads as soon as the first
bytes of a request arrive, and the thread then waits on the socket for the rest. A client
that sends its request a byte a second holds a thread for as long as it likes, and a handful
of them leave no thread for anyone else, the health check included. Here the worker's main
loop, which already waits on every socket at once, reads each request's head and body as they
come, and a thread takes the request only when all of it is there. A request not all there
within `GATHER_LIMIT` seconds is answered 408 and its connection closed; one whose head is
longer than gunicorn reads at all, 431.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from gunicorn.workers.gthread import TConn, ThreadWorker

GATHER_LIMIT = 30.0  # seconds for a whole request to arrive (2 MB at 70 KB/s)
GATHER_MOST = 2 * 1024 * 1024  # a larger body goes to a thread as it comes (an upload)
_CHUNK = 64 * 1024
_HEAD_END = b"\r\n\r\n"
_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:", re.I | re.M)
_EXPECT = re.compile(rb"^expect[ \t]*:[ \t]*100-continue[ \t]*\r\n", re.I | re.M)
_CHUNKED_END = b"0\r\n\r\n"

Readiness = Literal["partial", "whole", "head too long"]


@dataclass
class _Gathering:
    """A request arriving on one connection: its bytes so far, and when it must be whole."""

    deadline: float
    data: bytearray = field(default_factory=bytearray)
    continued: bool = False  # "100 Continue" sent, for a client waiting for it


def request_state(data: bytes | bytearray, most_head: int) -> Readiness:
    """Whether the request at the start of `data` is ready for a thread: "whole" once its
    head and its Content-Length of body (or a chunked body to its last chunk) are there, or
    as soon as its head announces a body larger than is gathered; "partial" while more is to
    come; "head too long" past `most_head` bytes without the head's end."""
    end = data.find(_HEAD_END, 0, most_head + len(_HEAD_END))
    if end < 0:
        return "head too long" if len(data) > most_head else "partial"
    head = bytes(data[: end + 2])
    if _CHUNKED.search(head):
        return "whole" if data.endswith(_CHUNKED_END) else "partial"
    found = _LENGTH.search(head)
    length = int(found.group(1)) if found else 0
    if length > GATHER_MOST or len(data) >= end + len(_HEAD_END) + length:
        return "whole"
    return "partial"


def _head_limit(cfg: Any) -> int:
    """The longest head gunicorn reads: its request line and header fields, with their ends."""
    line = cfg.limit_request_line or 8190
    fields = (cfg.limit_request_fields or 100) * ((cfg.limit_request_field_size or 8190) + 2)
    return int(line + 2 + fields)


class GatheringWorker(ThreadWorker):  # type: ignore[misc]
    """`gthread` whose threads take only requests that have arrived whole."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gathering: dict[Any, _Gathering] = {}
        self.most_head = _head_limit(self.cfg)

    def accept(self, listener: Any) -> None:
        """A new connection waits, without a thread, for its first request."""
        if self.cfg.is_ssl:  # (the bytes read here would be TLS records)
            super().accept(listener)
            return
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._gather(TConn(self.cfg, sock, client, listener.getsockname()))

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        """A kept-alive connection's next request starts: gathered like a first one."""
        if self.cfg.is_ssl:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._gather(conn)

    def _gather(self, conn: Any) -> None:
        conn.sock.setblocking(False)
        self.gathering[conn] = _Gathering(time.monotonic() + GATHER_LIMIT)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._arrived, conn))

    def _arrived(self, conn: Any, client: Any) -> None:
        """Bytes of a request came: keep them; give the request to a thread once it is whole."""
        gathering = self.gathering[conn]
        try:
            data = conn.sock.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._close(conn)
            return
        gathering.data += data
        state = request_state(gathering.data, self.most_head)
        if state == "partial":
            self._continue(conn, gathering)
        elif state == "head too long":
            self._refuse(
                conn, 431, "Request Header Fields Too Large", "the request's head is too long"
            )
        else:
            self.poller.unregister(conn.sock)
            del self.gathering[conn]
            conn.sock.setblocking(True)
            conn.init()
            held = bytes(gathering.data)
            if gathering.continued:  # (else gunicorn would send it again)
                held = _EXPECT.sub(b"", held, count=1)
            conn.parser.unreader.unread(held)
            conn.data_ready = True
            self.enqueue_req(conn)

    def _continue(self, conn: Any, gathering: _Gathering) -> None:
        """Tell a client waiting for leave to send its body (Expect: 100-continue) to send it."""
        data = gathering.data
        end = data.find(_HEAD_END)
        if gathering.continued or end < 0 or not _EXPECT.search(bytes(data[: end + 2])):
            return
        gathering.continued = True
        with contextlib.suppress(OSError):
            conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def murder_pending(self) -> None:
        """Also answer 408 to requests not whole in time (and close idle connections)."""
        super().murder_pending()
        now = time.monotonic()
        for conn, gathering in list(self.gathering.items()):
            if gathering.deadline <= now:
                if gathering.data:
                    text = f"the request did not arrive whole within {GATHER_LIMIT:g} s"
                    self._refuse(conn, 408, "Request Timeout", text)
                else:
                    self._close(conn)

    def _refuse(self, conn: Any, status: int, reason: str, text: str) -> None:
        """Answer with `status` (best effort: the client may not read) and close."""
        body = f"{text}\n".encode("ascii")
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            conn.sock.send(head.encode("ascii") + body)
        self._close(conn)

    def _close(self, conn: Any) -> None:
        self.gathering.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        self.nr_conns -= 1
        conn.close()

"""Tiny HTTP targets for the stand-in to deliver to: they record every POST and answer with a
scripted status."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["ce-id"]


class Target:
    """Records every request; `answer(n)` gives the status for the n-th request (1-based)."""

    def __init__(self, answer: Callable[[int], int], answer_outside_lock: bool = False) -> None:
        self.answer = answer
        self.received: list[Received] = []
        self.most_at_once = 0  # the most requests in flight together
        self._in_flight = 0
        self._lock = threading.Lock()
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                with target._lock:
                    target.received.append(Received(headers, body))
                    number = len(target.received)
                    target._in_flight += 1
                    target.most_at_once = max(target.most_at_once, target._in_flight)
                    # An answer that waits for other requests must not hold the lock.
                    status = None if answer_outside_lock else target.answer(number)
                try:
                    if status is None:
                        status = target.answer(number)
                finally:
                    with target._lock:
                        target._in_flight -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def ids(self) -> list[str]:
        with self._lock:
            return [request.id for request in self.received]


@contextmanager
def serving(
    answer: Callable[[int], int] = lambda n: 204, answer_outside_lock: bool = False
) -> Iterator[Target]:
    target = Target(answer, answer_outside_lock)
    thread = threading.Thread(target=target.server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield target
    finally:
        target.server.shutdown()
        target.server.server_close()
        thread.join(timeout=5)


def failing_first(count: int, status: int = 503) -> Callable[[int], int]:
    return lambda n: status if n <= count else 200

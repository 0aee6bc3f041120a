"""Run the stand-in on a background thread: `start_sendgrid_standin() -> RunningStandIn`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .faults import FaultQueue
from .outbox import Outbox
from .ratelimit import RateLimiter
from .server import MAX_BODY_BYTES, SendGridStandInApp
from .stats import StatusCounts

log = logging.getLogger(__name__)

DEFAULT_API_KEY = "SG.local-test-key"


class _Handler(WSGIRequestHandler):
    # Answer as SendGrid's front end does, so nothing keys off "Werkzeug" by accident.
    server_version = "nginx"
    sys_version = ""
    log_requests = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:
        # A client that timed out on a hung send closes its socket; that is expected here.
        log.debug(format, *args)


class _LoggingHandler(_Handler):
    log_requests = True


class RunningStandIn:
    """A live stand-in. `url` has no trailing slash: it is SendGridAPIClient's `host`."""

    def __init__(self, app: SendGridStandInApp, server: BaseWSGIServer) -> None:
        self.app = app
        self._server = server
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="sendgrid-standin", daemon=True
        )
        self._thread.start()

    @property
    def api_key(self) -> str:
        return self.app.api_key

    @property
    def outbox(self) -> Outbox:
        """The accepted messages: a thread-safe sequence of `SentMessage`."""
        return self.app.outbox

    @property
    def faults(self) -> FaultQueue:
        return self.app.faults

    @property
    def rate_limit(self) -> RateLimiter:
        return self.app.rate_limit

    @property
    def stats(self) -> StatusCounts:
        return self.app.stats

    def reset(self) -> None:
        self.app.reset()

    def client(self, timeout: float | None = None) -> Any:
        """The real `sendgrid.SendGridAPIClient`, keyed and pointed here.

        `timeout` (seconds) is python_http_client's per-request timeout; production code
        sets the same attribute (`client.client.timeout`).
        """
        from sendgrid import SendGridAPIClient

        client = SendGridAPIClient(api_key=self.api_key, host=self.url)
        client.client.timeout = timeout
        return client

    def stop(self) -> None:
        if self.app.stopping.is_set():
            return
        self.app.stopping.set()  # wakes sends sleeping on a hang fault
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningStandIn:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_sendgrid_standin(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    api_key: str = DEFAULT_API_KEY,
    control: bool = True,
    restricted_api_keys: Iterable[str] = (),
    max_body_bytes: int = MAX_BODY_BYTES,
    log_requests: bool = False,
) -> RunningStandIn:
    """Serve the stand-in on host:port (0 picks a free port) from a background thread."""
    app = SendGridStandInApp(
        api_key,
        control=control,
        restricted_api_keys=restricted_api_keys,
        max_body_bytes=max_body_bytes,
    )
    handler = _LoggingHandler if log_requests else _Handler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    return RunningStandIn(app, server)

"""Run the stand-in on a background thread: `start_sendgrid_standin() -> RunningStandIn`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer

from ..serving import BackgroundServer, QuietRequestHandler, quiet_server
from .faults import FaultQueue
from .outbox import Outbox
from .ratelimit import RateLimiter
from .server import MAX_BODY_BYTES, SendGridStandInApp
from .stats import StatusCounts

DEFAULT_API_KEY = "SG.local-test-key"


class _Handler(QuietRequestHandler):
    # Answer as SendGrid's front end does, so nothing keys off "Werkzeug" by accident.
    server_version = "nginx"
    sys_version = ""


class RunningStandIn(BackgroundServer):
    """A live stand-in. `url` has no trailing slash: it is SendGridAPIClient's `host`."""

    def __init__(self, app: SendGridStandInApp, server: BaseWSGIServer) -> None:
        self.app = app
        super().__init__(server, app.stopping, name="sendgrid-standin")
        self.url = f"http://{self.host}:{self.port}"

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
    server = quiet_server(app, host, port, _Handler, log_requests=log_requests)
    return RunningStandIn(app, server)

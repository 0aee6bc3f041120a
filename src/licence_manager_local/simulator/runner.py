"""Run the simulator on a background thread: `start_simulator(world) -> RunningSimulator`."""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .faults import CallStats, Faults
from .server import SimulatorApp
from .world import World

log = logging.getLogger(__name__)


class _Handler(WSGIRequestHandler):
    # Keep-alive like Google's front end, so httplib2 reuses its connections.
    protocol_version = "HTTP/1.1"
    log_requests = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:
        # A client that timed out on a hung call closes its socket; that is expected here.
        log.debug(format, *args)


class _LoggingHandler(_Handler):
    log_requests = True


class RunningSimulator:
    """A live simulator. `url` ends with "/" and is what `api_endpoint` wants."""

    def __init__(self, app: SimulatorApp, server: BaseWSGIServer, drift_seconds: float | None):
        self.app = app
        self._server = server
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}/"
        self._threads = [
            # A short poll interval keeps stop() (and so each test's teardown) quick.
            threading.Thread(
                target=server.serve_forever, args=(0.05,), name="reseller-sim", daemon=True
            )
        ]
        if drift_seconds:
            self._threads.append(
                threading.Thread(
                    target=self._drift_loop,
                    args=(drift_seconds,),
                    name="reseller-sim-drift",
                    daemon=True,
                )
            )
        for thread in self._threads:
            thread.start()

    @property
    def world(self) -> World:
        return self.app.world

    @property
    def faults(self) -> Faults:
        return self.app.faults

    @property
    def stats(self) -> CallStats:
        return self.app.stats

    def reset(self) -> None:
        self.app.reset()

    def stop(self) -> None:
        if self.app.stopping.is_set():
            return
        self.app.stopping.set()  # wakes calls sleeping on latency or hang faults
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _drift_loop(self, every: float) -> None:
        while not self.app.stopping.wait(every):
            changed = self.world.drift(self.app.drift_rng)
            log.info("drift changed %d subscriptions", changed)


def start_simulator(
    world: World,
    host: str = "127.0.0.1",
    port: int = 0,
    control: bool = True,
    strict: bool = False,
    *,
    drift_seconds: float | None = None,
    drift_seed: int = 0,
    fault_seed: int = 0,
    log_requests: bool = False,
) -> RunningSimulator:
    """Serve `world` on host:port (0 picks a free port) from background threads."""
    app = SimulatorApp(
        world, control=control, strict=strict, fault_seed=fault_seed, drift_seed=drift_seed
    )
    handler = _LoggingHandler if log_requests else _Handler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    return RunningSimulator(app, server, drift_seconds)

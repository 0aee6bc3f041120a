"""Run the simulator on a background thread: `start_simulator(world) -> RunningSimulator`."""

from __future__ import annotations

import logging

from werkzeug.serving import BaseWSGIServer

from ..serving import BackgroundServer, QuietRequestHandler, quiet_server
from .faults import CallStats, Faults
from .notifications import Notifier
from .server import SimulatorApp
from .world import World

log = logging.getLogger(__name__)


class _Handler(QuietRequestHandler):
    # Keep-alive like Google's front end, so httplib2 reuses its connections.
    protocol_version = "HTTP/1.1"


class RunningSimulator(BackgroundServer):
    """A live simulator. `url` ends with "/" and is what `api_endpoint` wants."""

    def __init__(
        self, app: SimulatorApp, server: BaseWSGIServer, drift_seconds: float | None
    ) -> None:
        self.app = app
        super().__init__(server, app.stopping, name="reseller-sim")
        self.url = f"http://{self.host}:{self.port}/"
        if drift_seconds:
            self._start_thread(self._drift_loop, drift_seconds, name="reseller-sim-drift")

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

    def _drift_loop(self, every: float) -> None:
        while not self.app.stopping.wait(every):
            changed = self.world.drift(self.app.drift_rng)
            self.app.notice_changes()
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
    notifier: Notifier | None = None,
) -> RunningSimulator:
    """Serve `world` on host:port (0 picks a free port) from background threads."""
    app = SimulatorApp(
        world,
        control=control,
        strict=strict,
        fault_seed=fault_seed,
        drift_seed=drift_seed,
        notifier=notifier,
    )
    server = quiet_server(app, host, port, _Handler, log_requests=log_requests)
    return RunningSimulator(app, server, drift_seconds)

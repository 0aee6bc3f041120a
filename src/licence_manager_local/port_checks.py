"""`make run` never says "running" while another server answers: a fixed port someone else holds
is refused before anything starts, naming the holder; once started, each port must be answered
by a process `make run` started (listeners reads who listens where)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from licence_manager_local import listeners


class StartRefused(RuntimeError):
    """The stack cannot start as asked, or what answers is not what it started; the message
    says why and what to do."""


def check_port_free(port: int) -> None:
    """Refuse the api's port (the one fixed port) if another process holds it, on any address
    (a server on [::1]:8080 would answer a browser's http://localhost:8080)."""
    if listeners.is_free(port) and not listeners.holders(port):
        return
    raise StartRefused(
        f"port {port} (the dashboard and its API) is already in use by "
        f"{listeners.describe_holder(port)}.\n"
        "  Stop that process, or choose another port: `make run PORT=8081`"
        " (or `python -m licence_manager_local.run --port 8081`).\n"
        "  Nothing was started."
    )


def check_ours(ours: set[int], logs: Path, ports: Mapping[str, int]) -> None:
    """Refuse to say "running" unless each of `ports` is answered by one of the processes
    `ours` (another server may have taken a port between our choice and our service's start).
    `ports`: what should answer → its port."""
    for what, port in ports.items():
        strangers = listeners.strangers_on(port, ours)
        if not strangers and listeners.is_free(port):
            raise StartRefused(
                f"nothing answers on port {port}, where make run's {what} should;"
                f" see its log in {logs}."
            )
        if not listeners.can_see():
            continue  # it answers; whose it is, only Linux's /proc can tell
        if strangers or not listeners.holders(port):
            holder = ", ".join(map(str, strangers)) or listeners.describe_holder(port)
            raise StartRefused(
                f"port {port} ({what}) is answered by {holder}, not by make run's {what}.\n"
                "  Stop that process and run make run again"
                + (" or choose another port with PORT=..." if what == "api" else "")
                + "."
            )

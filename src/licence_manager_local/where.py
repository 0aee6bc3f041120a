"""What `make run` prints once everything answers: every address a person needs to talk to the
stack and its stand-ins, the keys they accept, the users to sign in as, and how to stop it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from licence_manager.domain.users import ROLE_LABELS
from licence_manager_local import topology
from licence_manager_local.demo_users import DEMO_USERS


class Schedule(Protocol):
    """What the summary needs from run.StackOptions."""

    @property
    def port(self) -> int: ...
    @property
    def sync_interval(self) -> float: ...
    @property
    def sweep_interval(self) -> float: ...
    @property
    def drift_seconds(self) -> float: ...
    @property
    def demo_settings(self) -> bool: ...


@dataclass(frozen=True)
class Where:
    options: Schedule
    project: str
    dashboard_built: bool
    simulator: str
    sendgrid: str
    sendgrid_key: str
    firestore_host: str
    pubsub_host: str
    functions: Mapping[str, str]
    logs: Path
    channels: str = ""  # the Chat / Slack / webhook stand-in


def _every(seconds: float, otherwise: str) -> str:
    return f"every {seconds:g}s" if seconds > 0 else otherwise


def environment(where: Where) -> dict[str, str]:
    """The variables that point Google's and SendGrid's clients (and `licence-manager`) at the
    local stack, as the functions themselves get them."""
    return {
        "GOOGLE_CLOUD_PROJECT": where.project,
        "FIRESTORE_EMULATOR_HOST": where.firestore_host,
        "PUBSUB_EMULATOR_HOST": where.pubsub_host,
        "RESELLER_API_ENDPOINT": where.simulator,
        "SENDGRID_API_HOST": where.sendgrid,
        "SENDGRID_API_KEY": where.sendgrid_key,
    }


def lines(where: Where) -> list[str]:
    options = where.options
    base = f"http://127.0.0.1:{options.port}"
    simulator = where.simulator.rstrip("/")
    dashboard = f"{base}/" if where.dashboard_built else "not built: run `make web`"
    users = [
        f"      {email:<30} {ROLE_LABELS[role]}" + (f" of {', '.join(domains)}" if domains else "")
        for email, _name, role, domains in DEMO_USERS
    ]
    functions = [f"  {name:<21} {url}" for name, url in where.functions.items()]
    exports = [f"  export {name}={value}" for name, value in environment(where).items()]
    drift = f"users drift every {options.drift_seconds:g}s" if options.drift_seconds else "no drift"
    return [
        "",
        "Licence Manager is running locally.",
        "",
        f"  Dashboard             {dashboard}",
        "    sign in as one of the demo users (local sign-in, no password):",
        *users,
        f"  API                   {base}/api/v1  (OpenAPI: {base}/api/v1/openapi.json)",
        '                        POST /api/v1/session {"email": ...} answers a Bearer token',
        "",
        "Stand-ins for Google and SendGrid:",
        f"  Reseller simulator    {simulator}/  (Google's Reseller API; {drift})",
        f"    control             GET {simulator}/_control/world, POST .../_control/drift,"
        " PUT .../_control/faults",
        "    notifications       Google's Reseller notifications → react_to_reseller_events;"
        " POST .../_control/notifications {duplicate, drop, delay_ms, reorder}",
        f"  SendGrid stand-in     {where.sendgrid}  (API key {where.sendgrid_key})",
        f"    emails sent         GET {where.sendgrid}/_control/outbox",
        f"    email events        posted signed to the api after each send (addresses starting"
        f" 'bounce' bounce); POST {where.sendgrid}/_control/events for more",
        f"  Channel stand-in      {where.channels}  (Google Chat, Slack, signed webhooks)",
        f"    messages posted     GET {where.channels}/_control/outbox"
        "  (the first demo customer's Chat space: DEMO)",
        f"  Eventarc stand-in     watches Firestore {', '.join(topology.WATCHED_COLLECTIONS)};"
        f" delivers to evaluate_thresholds ({where.functions.get('evaluate_thresholds', '?')})",
        f"  Firestore emulator    {where.firestore_host}  (project {where.project})",
        f"  Pub/Sub emulator      {where.pubsub_host}  (failed messages: *-dead-letter-inspect)",
        *functions,
        f"  Scheduler             '{topology.SYNC_TOPIC}' "
        + _every(options.sync_interval, "on demand only")
        + f"; '{topology.SWEEP_TOPIC}' "
        + _every(options.sweep_interval, "never"),
        "  Demo settings         "
        + ("flexible SKUs alert at 2 vacant and top up to 4" if options.demo_settings else "off"),
        "",
        "From another shell, these point Google's clients and `licence-manager` at this stack:",
        *exports,
        "  then e.g. `.venv/bin/licence-manager users list`,"
        " `.venv/bin/python -m licence_manager_local.trigger sync` (or month-end)",
        "",
        f"Logs: {where.logs}",
        f"Stop: Ctrl-C here, or `kill {os.getpid()}`; everything make run started stops with it.",
        "",
    ]


def print_where(where: Where) -> None:
    print("\n".join(lines(where)), flush=True)

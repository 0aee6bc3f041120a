"""`make run`: the whole system on one machine. Google's Firestore and Pub/Sub emulators, the
Reseller API simulator with a drifting demo world, every function under functions-framework,
Pub/Sub push routes as in Terraform, and a local stand-in for Cloud Scheduler."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from licence_manager.adapters.secret_box import SecretBox
from licence_manager_local import listeners, topology, where
from licence_manager_local.demo_prices import seed_firestore_prices
from licence_manager_local.emulators import (
    Emulator,
    find_emulators,
    free_port,
    start_firestore,
    start_pubsub,
)
from licence_manager_local.lifeline import guarded
from licence_manager_local.port_checks import StartRefused, check_ours, check_port_free
from licence_manager_local.pubsub_push import PushStandIn
from licence_manager_local.reseller_events import wire_reseller_events
from licence_manager_local.sendgrid_standin.events import EventSigner

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"
PROJECT = "licence-manager-local"
EVENT_FUNCTIONS = (
    "sync_usage",
    "evaluate_thresholds",
    "apply_topup",
    "send_alerts",
    "sweep_requests",
    "sync_holders",
    "react_to_reseller_events",
    "verify_audit",
)
SENDGRID_KEY = "SG.local-make-run"
# How many requests Cloud Run runs of each event function at once: max_instances times concurrency
# in infra/terraform/locals.tf (tests/infra checks the two agree). Locally one gunicorn process
# with that many threads stands in for the instances, and the Eventarc stand-in delivers as many
# events at once to evaluate_thresholds; a burst of licences crossing in one sync is evaluated
# and applied side by side, not one after another. sync_usage and sweep_requests (one instance
# of one request each) keep functions-framework's default.
PARALLEL_REQUESTS = {
    "evaluate_thresholds": 20,
    "apply_topup": 10,
    "send_alerts": 10,
    "sync_holders": 10,
    "react_to_reseller_events": 10,
    "verify_audit": 5,
}

# How long Eventarc waits on evaluate_thresholds before it retries: the function's timeout
# (infra/terraform/locals.tf). A shorter wait would send a slow evaluation's event again while it
# still runs, one more transaction on the same licence.
EVALUATE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class StackOptions:
    """How to start the stack; `make run` takes its defaults from the command line, the soak
    overrides them (faster syncs and drift, a short lease, impatient Eventarc retries...)."""

    sync_interval: float = 60.0  # seconds between scheduled syncs; 0: on demand only
    sweep_interval: float = 60.0  # seconds between sweeps of stalled requests; 0: none
    # Seconds between holder syncs (daily in production; every few minutes here, so the demo's
    # users who get suspended or stop signing in show as reclaimable soon); 0: none.
    holder_sync_interval: float = 180.0
    drift_seconds: float = 20.0  # seconds between drift steps of the demo world; 0: none
    port: int = 8080  # the api (and the dashboard)
    demo_settings: bool = True
    # Extra environment for every function process (e.g. TOPUP_LEASE_SECONDS for the soak).
    function_env: Mapping[str, str] = field(default_factory=dict)
    # Extra arguments for the Eventarc stand-in (e.g. --duplicate-every 7, --max-attempts 30).
    eventarc_args: tuple[str, ...] = ()
    echo: bool = True  # summarise syncs, top-ups and emails on the console
    quiet: bool = False  # do not print where everything is

    @classmethod
    def of(cls, args: argparse.Namespace | StackOptions) -> StackOptions:
        if isinstance(args, StackOptions):
            return args
        known = {
            name: getattr(args, name) for name in cls.__dataclass_fields__ if hasattr(args, name)
        }
        return cls(**known)


@dataclass(frozen=True)
class _Spec:
    command: list[str]
    env: dict[str, str]
    echo: bool


class Stack:
    """Everything `make run` started, stopped in reverse order. A process can be killed and
    started again under its name (the soak kills functions mid-request)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.emulators: list[Emulator] = []
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._specs: dict[str, _Spec] = {}
        self.closers: list[Callable[[], None]] = []  # in-process stand-ins, stopped first
        self._lock = threading.Lock()

    def spawn(self, name: str, command: list[str], env: dict[str, str], echo: bool = False) -> None:
        self._specs[name] = _Spec(command, env, echo)
        process = self._popen(name)
        with self._lock:
            self.processes.append((name, process))

    def _popen(self, name: str) -> subprocess.Popen[bytes]:
        spec = self._specs[name]
        # Through the lifeline launcher: the process (and all it starts) dies with this one.
        process = subprocess.Popen(
            guarded(spec.command),
            env=spec.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=self._pump, args=(name, process, spec.echo), daemon=True).start()
        return process

    @property
    def started(self) -> bool:
        return bool(self.processes or self.emulators)

    def pids(self) -> set[int]:
        """Every process this stack started, and theirs."""
        with self._lock:
            roots = [p.pid for _n, p in self.processes] + [e.process.pid for e in self.emulators]
        return {pid for root in roots for pid in {root, *listeners.descendants(root)}}

    def process(self, name: str) -> subprocess.Popen[bytes]:
        with self._lock:
            return next(p for n, p in self.processes if n == name)

    def check_running(self) -> None:
        """Raise if a started process has already ended: a server that lost its port to another
        would otherwise leave its callers talking to whoever holds it."""
        with self._lock:
            ended = [(n, p.returncode) for n, p in self.processes if p.poll() is not None]
        if ended:
            name, code = ended[0]
            log = self.logs / f"{name}.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{name} exited (code {code}) while the stack started:\n{tail}")

    def kill(self, name: str) -> int:
        """SIGKILL the named process and everything it started (its session); its pid."""
        process = self.process(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return process.pid

    def restart(self, name: str) -> subprocess.Popen[bytes]:
        """Start the named process again as it was first started (same port, same env)."""
        fresh = self._popen(name)
        with self._lock:
            self.processes = [(n, fresh if n == name else p) for n, p in self.processes]
        return fresh

    def _pump(self, name: str, process: subprocess.Popen[bytes], echo: bool) -> None:
        with open(self.logs / f"{name}.log", "ab") as log:
            assert process.stdout is not None
            for line in process.stdout:
                log.write(line)
                log.flush()
                if echo:
                    summary = _summarise(line)
                    if summary:
                        print(f"[{name}] {summary}", flush=True)

    def stop(self) -> None:
        for close in reversed(self.closers):
            close()
        self.closers.clear()
        with self._lock:
            processes = list(self.processes)
        self.processes = processes
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for emulator in reversed(self.emulators):
            emulator.stop()
        (self.workdir / "endpoints.json").unlink(missing_ok=True)


def _summarise(line: bytes) -> str | None:
    """The usage-sync summary and every warning or error, from a function's JSON log lines."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    if entry.get("message") == "usage sync finished":
        return (
            f"sync: {entry['subscriptionsSeen']} subscriptions, {entry['apiCalls']} API calls,"
            f" {entry['licencesCreated']} created, {entry['licencesUpdated']} updated,"
            f" {len(entry['failures'])} failures in {entry['durationSeconds']}s"
        )
    if entry.get("message") == "reseller event" and entry.get("outcome") in (
        "RELISTED",
        "FOLLOWED_UP",
    ):
        if entry.get("sync") == "UNKNOWN_CUSTOMER":
            what = f"event {entry['eventType']} of {entry['customerId']}"
            return f"{what}: a new customer, left to the scheduled sync"
        return (
            f"event {entry['eventType']} of {entry['customerId']}: re-listed,"
            f" {entry.get('licencesWritten', 0)} licence(s) written"
        )
    if entry.get("message") == "top-up request finished":
        return f"top-up {entry['requestId']}: {entry['status']}: {entry['detail']}"
    if entry.get("message") == "holder sync: customer synced":
        return (
            f"holders of {entry['customerId']}: {entry['holders']} holders,"
            f" {entry['written']} documents written, {entry['apiCalls']} API calls"
        )
    if entry.get("message") == "notification delivered":
        # Delivery logs count recipients; addresses stay out of logs (review #16).
        count = entry.get("recipients", 0)
        return f"email {entry['notificationId']} sent to {count} recipient(s)"
    if entry.get("severity") in ("WARNING", "ERROR", "CRITICAL"):
        return f"{entry['severity']}: {entry.get('message')}"
    return None


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


# Cloud Scheduler's jobs that run on an interval: topic and message (as infra/terraform's).
SYNC_JOB = (topology.SYNC_TOPIC, {"job": "sync-usage"})
SWEEP_JOB = (topology.SWEEP_TOPIC, {"job": "sweep-requests"})
HOLDER_SYNC_JOB = (topology.HOLDER_SYNC_TOPIC, {"job": "sync-holders"})


def trigger_sync(project: str = PROJECT, publisher: Any = None) -> None:
    """What the Cloud Scheduler job does: publish the sync job's message."""
    publish_job(SYNC_JOB, project, publisher)


def publish_job(job: tuple[str, dict[str, str]], project: str, publisher: Any = None) -> None:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    publisher = publisher or pubsub_v1.PublisherClient()
    topic, body = job
    publisher.publish(publisher.topic_path(project, topic), json.dumps(body).encode()).result(
        timeout=30
    )


def scheduler(
    project: str,
    interval: float,
    stop: threading.Event,
    on_tick: Any = None,
    job: tuple[str, dict[str, str]] = SYNC_JOB,
) -> None:
    """Cloud Scheduler's Pub/Sub target, locally: publish a job's message on a timer (the sync's
    unless told). `on_tick` (if given) is called after each publish (the soak counts them)."""
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    # One client for the whole run: a client per tick would open a channel every few seconds.
    publisher = pubsub_v1.PublisherClient()
    while not stop.is_set():
        try:
            publish_job(job, project, publisher)
        except Exception as error:  # the emulator busy for a moment: the next tick will do
            print(f"scheduler: could not publish {job[1]}: {error}", flush=True)
        else:
            if on_tick is not None:
                on_tick()
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sync-interval", type=float, default=float(os.environ.get("SYNC_INTERVAL_SECONDS", "60"))
    )
    parser.add_argument(
        "--drift-seconds", type=float, default=float(os.environ.get("DRIFT_SECONDS", "20"))
    )
    parser.add_argument(
        "--sweep-interval",
        type=float,
        default=float(os.environ.get("SWEEP_INTERVAL_SECONDS", "60")),
        help="seconds between sweeps of stalled seat-change requests (0: none)",
    )
    parser.add_argument(
        "--holder-sync-interval",
        type=float,
        default=float(os.environ.get("HOLDER_SYNC_INTERVAL_SECONDS", "180")),
        help="seconds between holder syncs (daily in production; 0: none)",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--workdir", type=Path, default=ROOT / ".local-run")
    parser.add_argument(
        "--no-demo-settings",
        dest="demo_settings",
        action="store_false",
        help="leave every SKU's alerts and top-ups off",
    )
    args = parser.parse_args(argv)

    stack = Stack(args.workdir)
    stop = threading.Event()
    # Ctrl-C, `kill` and a closed terminal all stop everything as Ctrl-C does (SIGKILL cannot
    # be caught: the lifeline launcher ends each service then). SIGINT too, explicitly: a
    # shell starts a background job with it ignored, and `kill -INT` should still stop us.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    status = 0
    try:
        start(stack, args, stop)
        stop.wait()
    except KeyboardInterrupt:
        pass
    except StartRefused as refusal:
        print(f"\nmake run: {refusal}", file=sys.stderr, flush=True)
        status = 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        stop.set()
        if stack.started:
            print("\nstopping everything make run started...", flush=True)
        stack.stop()
    return status


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class Endpoints:
    """Where the parts of a running local stack answer."""

    api: str
    simulator: str
    sendgrid: str
    firestore_host: str
    pubsub_host: str
    functions: dict[str, str]
    channels: str = ""  # the Chat / Slack / webhook stand-in


def start(
    stack: Stack,
    args: argparse.Namespace | StackOptions,
    stop: threading.Event,
    on_sync: Any = None,
) -> Endpoints:
    """Start everything `make run` runs. `args`: its command line, or StackOptions; `on_sync` is
    called after each scheduled sync is published."""
    args = StackOptions.of(args)
    check_port_free(args.port)
    jars = find_emulators()
    firestore = start_firestore(jars, stack.logs)
    stack.emulators.append(firestore)
    pubsub = start_pubsub(jars, stack.logs)
    stack.emulators.append(pubsub)
    firestore.wait_ready()
    pubsub.wait_ready()

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    simulator_url = f"http://127.0.0.1:{free_port()}/"
    stack.spawn(
        "simulator",
        module(
            "simulator",
            "--port",
            port_of(simulator_url),
            "--demo",
            "--control",
            "--quiet",
            "--drift-seconds",
            str(args.drift_seconds),
            # Google's Reseller notifications, to the Pub/Sub emulator once registered.
            "--notifications",
        ),
        {**env, "PUBSUB_EMULATOR_HOST": pubsub.host},
    )
    sendgrid_url = f"http://127.0.0.1:{free_port()}"
    # The stand-in signs its Event Webhook posts with this key; the api verifies them.
    signer = EventSigner()
    event_key = stack.workdir / "sendgrid-event-key.pem"
    event_key.write_bytes(signer.private_pem)
    stack.spawn(
        "sendgrid",
        module(
            "sendgrid_standin",
            "--port",
            port_of(sendgrid_url),
            "--api-key",
            SENDGRID_KEY,
            "--control",
            "--quiet",
            "--event-webhook-url",
            f"http://127.0.0.1:{args.port}/api/v1/sendgrid/events",
            "--event-key-file",
            str(event_key),
        ),
        env,
    )
    # Google Chat, Slack and webhook receivers in one stand-in (alert channels).
    channels_url = f"http://127.0.0.1:{free_port()}"
    stack.spawn("channels", module("channel_standins", "--port", port_of(channels_url)), env)
    # Seals the channels' webhook URLs in Firestore; Secret Manager holds it in production.
    channel_key = os.environ.get("CHANNEL_SECRET_KEY") or SecretBox.new_key()
    wait_http(simulator_url + "apps/reseller/v1/subscriptions?maxResults=1")
    wait_http(sendgrid_url + "/v3/mail/send")
    wait_http(channels_url + "/_control/outbox")
    if os.environ.get("DEMO_HISTORY") == "1":
        seed_demo_history(simulator_url, firestore.host)

    function_env = {
        **env,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "FIRESTORE_EMULATOR_HOST": firestore.host,
        "PUBSUB_EMULATOR_HOST": pubsub.host,
        "RESELLER_API_ENDPOINT": simulator_url,
        "LICENCE_MANAGER_LOCAL": "1",
        "TOPUP_TOPIC": topology.TOPUP_TOPIC,
        "ALERT_TOPIC": topology.ALERT_TOPIC,
        "MONTH_END_TOPIC": topology.MONTH_END_TOPIC,
        "MONTH_END_CUSTOMER_TOPIC": topology.MONTH_END_CUSTOMER_TOPIC,
        "HOLDER_SYNC_TOPIC": topology.HOLDER_SYNC_TOPIC,
        "HOLDER_SYNC_CUSTOMER_TOPIC": topology.HOLDER_SYNC_CUSTOMER_TOPIC,
        "AUDIT_VERIFY_TOPIC": topology.AUDIT_VERIFY_TOPIC,
        "AUDIT_VERIFY_CUSTOMER_TOPIC": topology.AUDIT_VERIFY_CUSTOMER_TOPIC,
        # The retention-locked bucket's stand-in: files created once, read-only.
        "AUDIT_HEADS_DIR": str(stack.workdir / "audit-heads"),
        "SENDGRID_API_KEY": SENDGRID_KEY,
        "SENDGRID_API_HOST": sendgrid_url,
        "CHANNEL_SECRET_KEY": channel_key,
        "SENDGRID_EVENT_PUBLIC_KEY": signer.public_key,
        "ALERT_SENDER_EMAIL": "licence-manager@reseller.example",
        # Requests above a customer's spending limit are announced to reseller ops here.
        "RESELLER_OPS_EMAIL": "ops@reseller.example",
        "DASHBOARD_URL": f"http://127.0.0.1:{args.port}/",
        # The api serves the built web app too, as Firebase Hosting does in production.
        "LICENCE_MANAGER_WEB_DIR": str(WEB_DIST),
        # The sync records its schedule in its heartbeat (the dashboard's freshness line).
        **({"SYNC_INTERVAL_SECONDS": f"{args.sync_interval:g}"} if args.sync_interval > 0 else {}),
        **args.function_env,
    }
    urls = {}
    for name in EVENT_FUNCTIONS:
        urls[name] = f"http://127.0.0.1:{free_port()}"
        stack.spawn(
            name,
            function_command(name, "cloudevent", port_of(urls[name])),
            serving_env(name, function_env),
            echo=args.echo,
        )
    stack.spawn(
        "api", function_command("api", "http", str(args.port)), function_env, echo=args.echo
    )
    for url in [*urls.values(), f"http://127.0.0.1:{args.port}"]:
        wait_http(url)
    stack.check_running()

    os.environ["PUBSUB_EMULATOR_HOST"] = pubsub.host
    os.environ["FIRESTORE_EMULATOR_HOST"] = firestore.host
    # The emulator pushes two messages at a time; where Cloud Run may take more, our own push
    # stand-in delivers them (pubsub_push.py).
    pushed_by_us = {n for n, at_once in PARALLEL_REQUESTS.items() if at_once > 1} & {
        route.function for route in topology.ROUTES
    }
    topology.create_routes(PROJECT, urls, pulled=pushed_by_us)
    for route in topology.ROUTES:
        if route.function in pushed_by_us:
            stand_in = PushStandIn(
                f"projects/{PROJECT}/subscriptions/{route.subscription}",
                topology.push_endpoint(urls[route.function], PROJECT, route.topic),
                PARALLEL_REQUESTS[route.function],
            )
            stack.closers.append(stand_in.start().stop)
    stack.spawn(
        "eventarc",
        module(
            "eventarc",
            "--project",
            PROJECT,
            "--collections",
            ",".join(topology.WATCHED_COLLECTIONS),
            "--target",
            urls["evaluate_thresholds"],
            "--workers",
            str(PARALLEL_REQUESTS["evaluate_thresholds"]),
            "--timeout",
            str(EVALUATE_TIMEOUT_SECONDS),
            *args.eventarc_args,  # after ours: a later --workers wins
        ),
        {**env, "FIRESTORE_EMULATOR_HOST": firestore.host},
    )
    seed_users(simulator_url)
    seed_demo_channel(simulator_url, channels_url, channel_key)
    seed_firestore_prices(PROJECT)  # the demo price list, unless ops changed it already
    if args.demo_settings:
        seed_demo_settings(simulator_url)
    # The event path: seats raised seconds after a user is added; the scheduled sync stays.
    _, stop_events = wire_reseller_events(
        PROJECT,
        simulator_url,
        urls[topology.RESELLER_EVENTS_FUNCTION],
        PARALLEL_REQUESTS[topology.RESELLER_EVENTS_FUNCTION],
    )
    stack.closers.append(stop_events)
    # Cloud Scheduler's timers; stopping the stack stops them (a caller's event may never be
    # set, and a timer left publishing to a stopped emulator retries on a thread forever).
    stack.closers.append(stop.set)
    timers = [
        (args.sync_interval, SYNC_JOB, on_sync),
        (args.sweep_interval, SWEEP_JOB, None),
        (args.holder_sync_interval, HOLDER_SYNC_JOB, None),
    ]
    for interval, job, on_tick in timers:
        if interval > 0:
            threading.Thread(
                target=scheduler,
                args=(PROJECT, interval, stop, on_tick, job),
                name=f"scheduler:{job[1]['job']}",
                daemon=True,
            ).start()
    check_ours(
        stack.pids(),
        stack.logs,
        {
            "firestore emulator": firestore.port,
            "pubsub emulator": pubsub.port,
            "reseller simulator": int(port_of(simulator_url)),
            "sendgrid stand-in": int(port_of(sendgrid_url)),
            "channel stand-in": int(port_of(channels_url)),
            "api": args.port,
            **{name: int(port_of(url)) for name, url in urls.items()},
        },
    )
    if not args.quiet:
        where.print_where(
            where.Where(
                options=args,
                project=PROJECT,
                dashboard_built=(WEB_DIST / "index.html").is_file(),
                simulator=simulator_url,
                sendgrid=sendgrid_url,
                sendgrid_key=SENDGRID_KEY,
                channels=channels_url,
                firestore_host=firestore.host,
                pubsub_host=pubsub.host,
                functions=urls,
                logs=stack.logs,
            )
        )
    (stack.workdir / "endpoints.json").write_text(
        json.dumps(
            {
                "project": PROJECT,
                "pubsub_host": pubsub.host,
                "firestore_host": firestore.host,
                "simulator": simulator_url,
                "sendgrid": sendgrid_url,
                "channels": channels_url,
                "api": f"http://127.0.0.1:{args.port}",
            }
        )
    )
    return Endpoints(
        f"http://127.0.0.1:{args.port}",
        simulator_url,
        sendgrid_url,
        firestore.host,
        pubsub.host,
        urls,
        channels_url,
    )


def module(name: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", f"licence_manager_local.{name}", *arguments]


def port_of(url: str) -> str:
    return url.rstrip("/").rsplit(":", 1)[1]


def seed_users(simulator_url: str) -> None:
    """Provision the demo users (one per role) for the dev sign-in."""
    from google.cloud import firestore

    from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
    from licence_manager_local.demo_users import seed_demo_users
    from licence_manager_local.simulator import SimulatorControl

    customers = SimulatorControl(simulator_url).snapshot()["customers"]
    ids = {c["customerDomain"]: c["customerId"] for c in customers}
    seed_demo_users(FirestoreApiStore(firestore.Client(project=PROJECT)), ids)


def seed_demo_channel(simulator_url: str, channels_url: str, channel_key: str) -> None:
    """The first demo customer posts its alerts to a Google Chat space too (the channel
    stand-in's space DEMO), so a Chat-style message appears beside the emails."""
    from google.cloud import firestore

    from licence_manager.adapters.firestore_channels import FirestoreChannelStore
    from licence_manager.domain.channels import Channel, ChannelKind
    from licence_manager_local.simulator import SimulatorControl

    customers = SimulatorControl(simulator_url).snapshot()["customers"]
    if not customers:
        return
    first = sorted(customers, key=lambda c: c["customerDomain"])[0]
    store = FirestoreChannelStore(firestore.Client(project=PROJECT), SecretBox(channel_key))
    url = f"{channels_url}/v1/spaces/DEMO/messages?key=local-key&token=local-token"
    store.add_channel(
        Channel(first["customerId"], "demo-chat", ChannelKind.GOOGLE_CHAT, "IT team space", url)
    )


def seed_demo_history(simulator_url: str, firestore_host: str) -> None:
    """A few months of usage history (DEMO_HISTORY=1), before the first sync and before the
    Eventarc stand-in listens, so the Reports chart has something to show (demo_history)."""
    from google.cloud import firestore

    from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
    from licence_manager_local.demo_history import simulator_source, write_demo_history

    os.environ["FIRESTORE_EMULATOR_HOST"] = firestore_host
    client = firestore.Client(project=PROJECT)
    store = FirestoreApiStore(client)
    zone = os.environ.get("DEFAULT_TIME_ZONE", "Europe/London")
    today = datetime.now(UTC).date()
    source = simulator_source(simulator_url)
    write_demo_history(source, store, store, FirestoreUnitOfWork(client), zone, today)


def seed_demo_settings(simulator_url: str) -> None:
    """Turn on alerts and top-ups for each demo customer's flexible SKUs, so that a new user
    watching `make run` sees an alert and a top-up within a few minutes as users join."""
    from google.cloud import firestore

    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.settings import LicenceSettings
    from licence_manager.services.settings import save_settings
    from licence_manager_local.simulator import SimulatorControl

    uow = FirestoreUnitOfWork(firestore.Client(project=PROJECT))
    demo = LicenceSettings(
        low_licence_alert=True,
        alert_vacant_at_or_below=2,
        auto_top_up=True,
        top_up_when_vacant_below=2,
        top_up_target_vacant=4,
        max_total_seats=60,
        max_seats_per_month=20,
    )
    for sub in SimulatorControl(simulator_url).snapshot()["subscriptions"]:
        if sub["planName"] == "FLEXIBLE" and sub["billingMethod"] == "ONLINE":
            key = LicenceKey(sub["customerId"], sub["skuId"])
            save_settings(uow, key, demo, "make run demo", datetime.now(UTC))


def serving_env(name: str, env: Mapping[str, str]) -> dict[str, str]:
    """The function's environment, with functions-framework's gunicorn told how many requests
    to serve at once (THREADS) where Terraform lets Cloud Run run more than one."""
    parallel = PARALLEL_REQUESTS.get(name)
    return {**env, "THREADS": str(parallel)} if parallel else dict(env)


def function_command(name: str, signature: str, port: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "functions-framework"),
        "--source",
        str(ROOT / "functions" / name / "main.py"),
        "--target",
        name,
        "--signature-type",
        signature,
        "--host",
        "127.0.0.1",
        "--port",
        port,
    ]


if __name__ == "__main__":
    sys.exit(main())

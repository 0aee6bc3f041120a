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
from pathlib import Path

from licence_manager_local import topology
from licence_manager_local.emulators import (
    Emulator,
    find_emulators,
    free_port,
    start_firestore,
    start_pubsub,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "licence-manager-local"
EVENT_FUNCTIONS = ("sync_usage",)


class Stack:
    """Everything `make run` started, stopped in reverse order."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.emulators: list[Emulator] = []
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def spawn(self, name: str, command: list[str], env: dict[str, str], echo: bool = False) -> None:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process))
        threading.Thread(target=self._pump, args=(name, process, echo), daemon=True).start()

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


def scheduler(project: str, interval: float, stop: threading.Event) -> None:
    """Cloud Scheduler's Pub/Sub target, locally: publish the sync job's message on a timer."""
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    publisher = pubsub_v1.PublisherClient()
    topic = publisher.topic_path(project, topology.SYNC_TOPIC)
    while not stop.is_set():
        publisher.publish(topic, json.dumps({"job": "sync-usage"}).encode()).result(timeout=30)
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sync-interval", type=float, default=float(os.environ.get("SYNC_INTERVAL_SECONDS", "60"))
    )
    parser.add_argument(
        "--drift-seconds", type=float, default=float(os.environ.get("DRIFT_SECONDS", "20"))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--workdir", type=Path, default=ROOT / ".local-run")
    args = parser.parse_args(argv)

    stack = Stack(args.workdir)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        start(stack, args, stop)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        print("\nstopping everything make run started...", flush=True)
        stack.stop()
    return 0


def start(stack: Stack, args: argparse.Namespace, stop: threading.Event) -> None:
    jars = find_emulators()
    firestore = start_firestore(jars, stack.logs)
    pubsub = start_pubsub(jars, stack.logs)
    stack.emulators += [firestore, pubsub]
    firestore.wait_ready()
    pubsub.wait_ready()

    simulator_port = free_port()
    simulator_url = f"http://127.0.0.1:{simulator_port}/"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    stack.spawn(
        "simulator",
        [
            sys.executable,
            "-m",
            "licence_manager_local.simulator",
            "--port",
            str(simulator_port),
            "--demo",
            "--control",
            "--quiet",
            "--drift-seconds",
            str(args.drift_seconds),
        ],
        env,
    )
    wait_http(simulator_url + "apps/reseller/v1/subscriptions?maxResults=1")

    function_env = {
        **env,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "FIRESTORE_EMULATOR_HOST": firestore.host,
        "PUBSUB_EMULATOR_HOST": pubsub.host,
        "RESELLER_API_ENDPOINT": simulator_url,
        "LICENCE_MANAGER_LOCAL": "1",
    }
    urls = {}
    for name in EVENT_FUNCTIONS:
        port = free_port()
        urls[name] = f"http://127.0.0.1:{port}"
        stack.spawn(name, function_command(name, "cloudevent", port), function_env, echo=True)
    stack.spawn("api", function_command("api", "http", args.port), function_env, echo=True)
    for url in [*urls.values(), f"http://127.0.0.1:{args.port}"]:
        wait_http(url)

    os.environ["PUBSUB_EMULATOR_HOST"] = pubsub.host
    topology.create_routes(PROJECT, urls)
    threading.Thread(
        target=scheduler, args=(PROJECT, args.sync_interval, stop), daemon=True
    ).start()
    print_where(args, simulator_url, firestore, pubsub, urls, stack)


def function_command(name: str, signature: str, port: int) -> list[str]:
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
        str(port),
    ]


def print_where(
    args: argparse.Namespace,
    simulator_url: str,
    firestore: Emulator,
    pubsub: Emulator,
    urls: dict[str, str],
    stack: Stack,
) -> None:
    api = f"http://127.0.0.1:{args.port}/api/v1"
    lines = [
        "",
        "Licence Manager is running locally (Ctrl-C stops everything):",
        f"  API                  {api}/customers",
        f"                       {api}/customers/<customerId>/licences",
        f"  Reseller simulator   {simulator_url}  (users drift every {args.drift_seconds:g}s;"
        f" control: {simulator_url}_control/world)",
        f"  Firestore emulator   {firestore.host}  (project {PROJECT})",
        f"  Pub/Sub emulator     {pubsub.host}",
        *[f"  {name:<20} {url}" for name, url in urls.items()],
        f"  Scheduler            '{topology.SYNC_TOPIC}' topic, every {args.sync_interval:g}s",
        f"  Logs                 {stack.logs}",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())

"""Section 4, cold start: each function's main.py imported as functions-framework does, and its
first request, in a fresh interpreter under `-X importtime`; beside it, the import time of the
client libraries that function cannot avoid, alone. Our share is the import time spent in our
own modules (licence_manager, main) over all import time, deferred imports included."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.common import ROOT, WORK, Emulators, Result, log, median, ms

SECTION = "4. Cold start"
PROJECT = "bench-cold"
OURS = ("licence_manager", "main", "bench")


@dataclass(frozen=True)
class Function:
    name: str
    signature: str
    libraries: tuple[str, ...]  # what it cannot avoid importing to do its job


FUNCTIONS = (
    Function(
        "sync_usage",
        "cloudevent",
        ("functions_framework", "google.cloud.firestore", "googleapiclient.discovery"),
    ),
    Function(
        "evaluate_thresholds",
        "cloudevent",
        (
            "functions_framework",
            "google.cloud.firestore",
            "google.cloud.pubsub_v1",
            "google.events.cloud.firestore",
        ),
    ),
    Function(
        "apply_topup",
        "cloudevent",
        (
            "functions_framework",
            "google.cloud.firestore",
            "googleapiclient.discovery",
            "google.cloud.pubsub_v1",
        ),
    ),
    Function(
        "send_alerts",
        "cloudevent",
        ("functions_framework", "google.cloud.firestore", "sendgrid"),
    ),
    Function("api", "http", ("functions_framework", "google.cloud.firestore")),
)


def parse_importtime(stderr: str) -> tuple[dict[str, float], dict[str, float]]:
    """Self import time in seconds by top-level module, before and after the phase marker."""
    phases: list[dict[str, float]] = [{}, {}]
    phase = 0
    for line in stderr.splitlines():
        if line.startswith("BENCH-PHASE"):
            phase = 1
            continue
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, name = _fields(line)
        name = name.strip()
        top = name.split(".")[0]
        key = name if top in OURS else top  # our own modules one by one, libraries as a whole
        # Imports running in two threads at once (the sync reads the store while it lists)
        # confuse -X importtime's nesting and can give a negative self time: count it as 0.
        seconds = max(float(self_us), 0.0) / 1e6
        phases[phase][key] = phases[phase].get(key, 0.0) + seconds
    return phases[0], phases[1]


def _fields(line: str) -> tuple[str, str]:
    """`import time:   self [us] | cumulative | name` → (self, name)."""
    head, _cumulative, name = line.split("|")
    return head.replace("import time:", "").strip(), name


def total(run: dict[str, Any]) -> float:
    return float(sum(run["importsAtImport"].values()) + sum(run["importsAtFirstRequest"].values()))


def ours(times: dict[str, float]) -> float:
    return sum(v for k, v in times.items() if k.split(".")[0] in OURS)


def heaviest_own(run: dict[str, Any], count: int = 3) -> list[tuple[str, float]]:
    times = {**run["importsAtImport"], **run["importsAtFirstRequest"]}
    own = [(k, v) for k, v in times.items() if k.split(".")[0] in OURS]
    return sorted(own, key=lambda kv: -kv[1])[:count]


def library_baseline(libraries: tuple[str, ...], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, import self-time seconds) of importing just `libraries`."""
    code = "import time; s = time.perf_counter()\n"
    code += "".join(f"import {lib}\n" for lib in libraries)
    code += "print(time.perf_counter() - s)"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    before, _ = parse_importtime(done.stderr)
    return float(done.stdout.strip()), sum(before.values())


def pubsub_request(body: dict[str, Any], topic: str) -> dict[str, Any]:
    from cloudevents.conversion import to_structured
    from cloudevents.http import CloudEvent

    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    event = CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": f"//pubsub.googleapis.com/projects/{PROJECT}/topics/{topic}",
            "time": now,
        },
        {
            "message": {
                "data": base64.b64encode(json.dumps(body).encode()).decode(),
                "messageId": "1",
                "publishTime": now,
            },
            "subscription": f"projects/{PROJECT}/subscriptions/{topic}",
        },
    )
    headers, data = to_structured(event)
    return {"method": "POST", "path": "/", "headers": dict(headers), "body": data.hex()}


def licence_event(client: Any) -> dict[str, Any]:
    from licence_manager_local.eventarc.encode import DocumentVersion, firestore_cloud_event

    snap = next(iter(client.collection("licences").limit(1).stream()))
    new = DocumentVersion.from_snapshot(snap)
    event = firestore_cloud_event(
        old=None, new=new, project=PROJECT, time=datetime.now(UTC), event_id="bench-cold-1"
    )
    return {"method": "POST", "path": "/", "headers": dict(event.headers), "body": event.body.hex()}


def manual_request(client: Any) -> tuple[str, str]:
    """A manual addition of one seat, made the way the api makes it; (request id, notification
    id of its confirmation). Falls back to ids that do not exist if that path has changed."""
    try:
        from licence_manager import bootstrap
        from licence_manager.domain.model import LicenceKey

        snap = next(
            s
            for s in client.collection("licences").stream()
            if (s.to_dict() or {}).get("planName") == "FLEXIBLE"
            and (s.to_dict() or {}).get("status") == "ACTIVE"
        )
        data = snap.to_dict() or {}
        bootstrap.clear()
        request = bootstrap.request_addition()(
            LicenceKey(data["customerId"], data["skuId"]), 1, "bench"
        )
        return request.request_id, f"{request.request_id}-applied"
    except Exception as error:  # the api's addition path is not what this expects
        log(f"cold start: no real top-up request ({error}); using unknown ids")
        return "bench-unknown", "bench-unknown-applied"


def probe(function: Function, request: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    path = WORK / f"cold-{function.name}.json"
    path.write_text(json.dumps({**request, "signature": function.signature}))
    command = [sys.executable, "-X", "importtime", "-m", "bench.cold_start_probe"]
    done = subprocess.run(
        [*command, function.name, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{function.name} probe failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # The interpreter's import log, kept to see which modules a cold start paid for.
    (WORK / f"cold-{function.name}.importtime.log").write_text(done.stderr)
    at_import, at_first = parse_importtime(done.stderr)
    result["importsAtImport"] = at_import
    result["importsAtFirstRequest"] = at_first
    return result


def run_section(quick: bool) -> list[Result]:
    from google.cloud import firestore, pubsub_v1  # type: ignore[attr-defined]

    from licence_manager_local.sendgrid_standin import start_sendgrid_standin
    from licence_manager_local.simulator import demo_world, start_simulator

    emulators = Emulators(pubsub=True)
    repeats = 1 if quick else 3
    results: list[Result] = []
    try:
        with start_simulator(demo_world(seed=7)) as sim, start_sendgrid_standin() as sendgrid:
            env = {
                **os.environ,
                **emulators.env(),
                "GOOGLE_CLOUD_PROJECT": PROJECT,
                "RESELLER_API_ENDPOINT": sim.url,
                "LICENCE_MANAGER_LOCAL": "1",
                "SENDGRID_API_KEY": sendgrid.api_key,
                "SENDGRID_API_HOST": sendgrid.url,
                "ALERT_SENDER_EMAIL": "licence-manager@reseller.example",
                "TOPUP_TOPIC": "topup-requests",
                "ALERT_TOPIC": "alerts",
            }
            os.environ.update(env)
            publisher = pubsub_v1.PublisherClient()
            for topic in ("topup-requests", "alerts"):
                publisher.create_topic(name=publisher.topic_path(PROJECT, topic))
            client = firestore.Client(project=PROJECT)
            sync = pubsub_request({"job": "sync-usage"}, "sync-usage")
            probe(FUNCTIONS[0], sync, env)  # fills Firestore from the demo world
            customer = next(iter(client.collection("customers").stream())).id
            api_request = {
                "method": "POST",
                "path": "/api/v1/session",
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"email": "ops@reseller.example"}).encode().hex(),
                "then": f"/api/v1/customers/{customer}/licences",
            }
            try:
                from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
                from licence_manager.domain.users import Role, User

                FirestoreApiStore(client).save_user(
                    User("ops@reseller.example", "Ops", Role.RESELLER_OPS)
                )
            except ImportError:
                pass
            requests = {
                "sync_usage": sync,
                "evaluate_thresholds": licence_event(client),
                "api": api_request,
            }
            for function in FUNCTIONS:
                log(f"cold start: {function.name}")
                runs = []
                for _ in range(repeats):
                    if function.name == "apply_topup":
                        request_id, notification_id = manual_request(client)
                        requests["apply_topup"] = pubsub_request(
                            {"requestId": request_id}, "topup-requests"
                        )
                        requests["send_alerts"] = pubsub_request(
                            {"notificationId": notification_id}, "alerts"
                        )
                    runs.append(probe(function, requests[function.name], env))
                baseline = [library_baseline(function.libraries, env) for _ in range(repeats)]
                results.append(summarise(function, runs, baseline))
    finally:
        emulators.stop()
    return results


def summarise(
    function: Function, runs: list[dict[str, Any]], baseline: list[tuple[float, float]]
) -> Result:
    import_wall = median([r["importSeconds"] for r in runs])
    first = median([r["firstRequestSeconds"] for r in runs])
    lib_wall = median([b[0] for b in baseline])
    total_self = median([total(r) for r in runs])
    own = median([ours(r["importsAtImport"]) + ours(r["importsAtFirstRequest"]) for r in runs])
    deferred = median([sum(r["importsAtFirstRequest"].values()) for r in runs])
    share = own / total_self if total_self else 0.0
    statuses = runs[-1]["statuses"]
    return Result(
        SECTION,
        f"{function.name}: our share of import time",
        f"{share:.1%} ({ms(own)} of {ms(total_self)}); main.py import {ms(import_wall)}, "
        f"first request {ms(first)} (HTTP {'/'.join(map(str, statuses))}; "
        f"{ms(deferred)} of it deferred imports); unavoidable libraries alone "
        f"({', '.join(function.libraries)}) {ms(lib_wall)}; RSS {runs[-1]['rssMiB']:.0f} MiB",
        "< 20%",
        share < 0.20,
        "",
        {
            "share": share,
            "ours": own,
            "totalImportSelf": total_self,
            "importWall": import_wall,
            "firstRequest": first,
            "libraryWall": lib_wall,
            "heaviestOwn": heaviest_own(runs[-1]),
            "runs": runs,
        },
    )


if __name__ == "__main__":
    started = time.perf_counter()
    for row in run_section(quick="--quick" in sys.argv):
        print(row.metric, "|", row.measured, "|", row.target, "|", row.met)
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)

"""Each function zip, unpacked into an empty folder, served by functions-framework from a clean
virtualenv that has nothing but that function's requirements.txt: what Cloud Functions does with
it. Proves the zip needs nothing from outside itself (functions-framework puts the source folder
on sys.path, where the copied licence_manager package is found).

One virtualenv per distinct requirements.txt, created in parallel: the slow part."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cloudevents.conversion import to_structured
from cloudevents.http import CloudEvent
from packaging.utils import canonicalize_name
from tools import package_functions

pytestmark = pytest.mark.slow

FUNCTIONS = package_functions.function_names()
EVENT_FUNCTIONS = [n for n in FUNCTIONS if n != "api"]
# Cloud Functions sets FUNCTION_SIGNATURE_TYPE=http on a function deployed without an
# event_trigger, as infra/terraform deploys every function; the @cloud_event decorator must win.
AS_DEPLOYED = {"FUNCTION_SIGNATURE_TYPE": "http"}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each function's zip, unpacked into its own folder."""
    out = tmp_path_factory.mktemp("bundles")
    unpacked = {}
    for bundle in package_functions.build(out):
        folder = tmp_path_factory.mktemp(f"src-{bundle.name}")
        with zipfile.ZipFile(bundle.archive) as archive:
            archive.extractall(folder)
        unpacked[bundle.name] = folder
    return unpacked


def _create_venv(folder: Path, requirements: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--disable-pip-version-check", "--no-input", "-r", str(requirements)],
        check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def venvs(bundles: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Function name → a virtualenv with only its requirements; shared between functions whose
    requirements.txt are the same bytes."""
    by_requirements: dict[str, Path] = {}
    for folder in bundles.values():
        digest = hashlib.sha256((folder / "requirements.txt").read_bytes()).hexdigest()[:12]
        by_requirements.setdefault(digest, folder / "requirements.txt")
    root = tmp_path_factory.mktemp("venvs")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            digest: pool.submit(_create_venv, root / digest, requirements)
            for digest, requirements in by_requirements.items()
        }
        created = {digest: future.result() for digest, future in futures.items()}
    return {
        name: created[hashlib.sha256((folder / "requirements.txt").read_bytes()).hexdigest()[:12]]
        for name, folder in bundles.items()
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(name: str, source: Path, venv: Path, log: Path, env: dict[str, str]) -> Iterator[str]:
    """functions-framework serving `name` from `source`; yields its URL."""
    port = _free_port()
    clean_env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(log.parent), **env}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(venv / "bin" / "functions-framework"), "--target", name,
             "--source", str(source / "main.py"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=log.parent, env=clean_env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"{name} exited:\n{log.read_text()}"
            try:
                # The first request loads the app: on a busy machine it takes over a second.
                requests.get(url, timeout=1)
                break
            except (requests.ConnectionError, requests.ReadTimeout):
                assert time.monotonic() < deadline, f"{name} did not start:\n{log.read_text()}"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_every_function_gets_a_virtualenv_of_its_own_requirements(
    venvs: dict[str, Path], bundles: dict[str, Path]
) -> None:
    for name, venv in venvs.items():
        listed = subprocess.run(
            [str(venv / "bin" / "python"), "-c",
             "import importlib.metadata as m; print(' '.join(sorted(d.name.lower() for d in "
             "m.distributions())))"],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        assert "licence-manager" not in listed, name  # the project itself is not installed
        # A hashed lock (tools/lock_functions.py): "name==version \" then "    --hash=..." lines.
        wanted = [
            canonicalize_name(line.split("==")[0].split("[")[0])
            for line in (bundles[name] / "requirements.txt").read_text().splitlines()
            if line[:1].isalnum()
        ]
        assert wanted, name
        assert set(wanted) <= {canonicalize_name(d) for d in listed}, name


def test_sync_usage_serves_a_scheduler_event_and_drops_a_stale_one(
    venvs: dict[str, Path], bundles: dict[str, Path], tmp_path: Path
) -> None:
    log = tmp_path / "sync_usage.log"
    sent = datetime.now(UTC) - timedelta(hours=1)
    event = CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": "//pubsub.googleapis.com/projects/p/topics/lm-sync-usage",
            "time": sent.isoformat().replace("+00:00", "Z"),
        },
        {"message": {"data": base64.b64encode(b'{"job": "sync-usage"}').decode(),
                     "messageId": "1"}},
    )  # fmt: skip
    headers, body = to_structured(event)
    with serve("sync_usage", bundles["sync_usage"], venvs["sync_usage"], log, {}) as url:
        response = requests.post(url, headers=headers, data=body, timeout=10)
    assert response.status_code == 200, response.text
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    stale = [e for e in entries if e.get("message") == "dropping stale sync trigger"]
    assert len(stale) == 1 and stale[0]["ageSeconds"] >= 3600


def test_a_pubsub_push_body_reaches_sync_usage_as_a_cloudevent(
    venvs: dict[str, Path], bundles: dict[str, Path], tmp_path: Path
) -> None:
    """What the Terraform push subscription sends: the raw push envelope, on the topic path."""
    log = tmp_path / "sync_usage.log"
    published = (datetime.now(UTC) - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    push = {
        "message": {"data": base64.b64encode(b'{"job": "sync-usage"}').decode(),
                    "messageId": "42", "publishTime": published},
        "subscription": "projects/p/subscriptions/lm-sync-usage-to-sync_usage",
    }  # fmt: skip
    with serve("sync_usage", bundles["sync_usage"], venvs["sync_usage"], log, AS_DEPLOYED) as url:
        response = requests.post(f"{url}/projects/p/topics/lm-sync-usage", json=push, timeout=10)
    assert response.status_code == 200, response.text
    assert '"dropping stale sync trigger"' in log.read_text()


def test_sweep_requests_serves_its_scheduler_push_and_drops_a_stale_one(
    venvs: dict[str, Path], bundles: dict[str, Path], tmp_path: Path
) -> None:
    """What the sweep-requests push subscription sends, an hour late: dropped by its age before
    anything is built (no Firestore, no Pub/Sub needed)."""
    log = tmp_path / "sweep_requests.log"
    published = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    push = {
        "message": {"data": base64.b64encode(b'{"job": "sweep-requests"}').decode(),
                    "messageId": "7", "publishTime": published},
        "subscription": "projects/p/subscriptions/lm-sweep-requests-to-sweep_requests",
    }  # fmt: skip
    with serve(
        "sweep_requests", bundles["sweep_requests"], venvs["sweep_requests"], log, AS_DEPLOYED
    ) as url:
        response = requests.post(
            f"{url}/projects/p/topics/lm-sweep-requests", json=push, timeout=10
        )
    assert response.status_code == 200, response.text
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    stale = [e for e in entries if e.get("message") == "dropping stale sweep trigger"]
    assert len(stale) == 1 and stale[0]["ageSeconds"] >= 3600


@pytest.mark.parametrize("name", EVENT_FUNCTIONS)
def test_event_functions_are_served_as_cloudevent_functions(
    name: str, venvs: dict[str, Path], bundles: dict[str, Path], tmp_path: Path
) -> None:
    with serve(name, bundles[name], venvs[name], tmp_path / f"{name}.log", AS_DEPLOYED) as url:
        get = requests.get(url, timeout=10)
        not_an_event = requests.post(url, json={"hello": "world"}, timeout=10)
    assert get.status_code == 405  # a CloudEvent function takes POST only
    assert not_an_event.status_code == 400
    assert "FUNCTION_SIGNATURE_TYPE=cloudevent" in not_an_event.text


def test_api_serves_401_problem_json_outside_local_mode(
    venvs: dict[str, Path], bundles: dict[str, Path], tmp_path: Path
) -> None:
    # A project and a Firestore endpoint so that building the client needs no credentials; the
    # request is refused before the store is used. LICENCE_MANAGER_LOCAL is not set.
    env = {
        "GOOGLE_CLOUD_PROJECT": "lm-test",
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{_free_port()}",
    }
    with serve("api", bundles["api"], venvs["api"], tmp_path / "api.log", env) as url:
        response = requests.get(f"{url}/api/v1/customers", timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401

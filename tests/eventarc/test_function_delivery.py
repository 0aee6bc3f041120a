"""Firestore emulator writes → the Eventarc stand-in → a gen2 function under functions-framework,
which decodes the events with the production decoder."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import functions_framework
import pytest

from licence_manager.firestore_events import WRITTEN, decode_document_event
from licence_manager_local.emulators import free_port
from licence_manager_local.eventarc import (
    DocumentVersion,
    EventarcStandIn,
    RetryPolicy,
    firestore_cloud_event,
)
from tests.eventarc.function_app import wait_for_seen, write_function
from tests.eventarc.samples import every_type
from tests.eventarc.targets import failing_first, serving

create_app = cast(Any, functions_framework.create_app)  # untyped upstream
FAST = RetryPolicy(initial_backoff=0.02, max_backoff=0.1, max_attempts=5)
LICENCE = "licences/C1_1010020028"


def test_functions_framework_accepts_and_decodes_the_binary_event(tmp_path: Path) -> None:
    source, _ = write_function(tmp_path)
    app = create_app("record", str(source), "cloudevent")
    function_module = sys.modules["main"]  # functions-framework loads the source as `main`
    old = DocumentVersion(LICENCE, {"assigned": 3}, None, None)
    new = DocumentVersion(LICENCE, {"assigned": 4}, None, datetime.fromisoformat("2024-05-01"))
    event = firestore_cloud_event(old=old, new=new, project="p", time=datetime(2024, 5, 1))
    response = app.test_client().post("/", headers=dict(event.headers), data=event.body)
    assert response.status_code == 200
    [record] = function_module.SEEN
    assert record["attributes"]["id"] == event.id
    assert record["attributes"]["datacontenttype"] == "application/protobuf"
    assert record["change"] == decode_document_event(event.body)
    assert (record["change"].old, record["change"].new) == ({"assigned": 3}, {"assigned": 4})


def test_a_body_that_is_not_a_document_event_fails_the_function(tmp_path: Path) -> None:
    """A 5xx is what makes Eventarc retry; the decoder's error must surface as one."""
    source, _ = write_function(tmp_path)
    app = create_app("record", str(source), "cloudevent")
    event = firestore_cloud_event(
        old=None, new=DocumentVersion(LICENCE, {}, None, None), project="p", time=datetime.now()
    )
    response = app.test_client().post("/", headers=dict(event.headers), data=b"\xff\xff\xff")
    assert response.status_code == 500


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"functions-framework exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"functions-framework not listening after 30s:\n{log.read_text()}")


@pytest.fixture
def function_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`record` served by a real functions-framework process: (its URL, where its events land)."""
    source, out = write_function(tmp_path)
    port = free_port()
    binary = Path(sys.executable).with_name("functions-framework")
    command = [str(binary) if binary.exists() else shutil.which("functions-framework") or "",
               "--source", str(source), "--target", "record", "--signature-type", "cloudevent",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    log = tmp_path / "functions-framework.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    try:
        wait_listening(port, process, log)
        yield f"http://127.0.0.1:{port}/", out
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_create_update_delete_reach_the_function_as_eventarc_sends_them(
    firestore_client: Any, project_id: str, function_server: tuple[str, Path]
) -> None:
    url, out = function_server
    ref = firestore_client.document(LICENCE)
    with EventarcStandIn(firestore_client, ["licences"], url, project_id, retry=FAST) as stand_in:
        ref.set({"assigned": 3, "total": 5})
        assert len(wait_for_seen(out, 1)) == 1
        ref.update({"assigned": 4})
        assert len(wait_for_seen(out, 2)) == 2
        ref.delete()
        records = wait_for_seen(out, 3)
        assert stand_in.wait_idle(5)
        stats = stand_in.stats()
    assert len(records) == 3
    changes = [record["change"] for record in records]
    assert [change.kind for change in changes] == ["created", "updated", "deleted"]
    assert [(change.old, change.new) for change in changes] == [
        (None, {"assigned": 3, "total": 5}),
        ({"assigned": 3, "total": 5}, {"assigned": 4, "total": 5}),
        ({"assigned": 4, "total": 5}, None),
    ]
    assert all(change.path == LICENCE for change in changes)
    assert changes[2].update_time is None
    for record, change in zip(records[:2], changes[:2], strict=True):
        assert datetime.fromisoformat(record["attributes"]["time"]) == change.update_time
    for record in records:
        attributes = record["attributes"]
        assert attributes["type"] == WRITTEN
        assert attributes["subject"] == f"documents/{LICENCE}"
        assert attributes["source"] == (
            f"//firestore.googleapis.com/projects/{project_id}/databases/(default)"
        )
        assert (attributes["document"], attributes["database"], attributes["namespace"],
                attributes["project"], attributes["location"]) == (
            LICENCE, "(default)", "(default)", project_id, "nam5")  # fmt: skip
        assert attributes["datacontenttype"] == "application/protobuf"
    assert len({record["attributes"]["id"] for record in records}) == 3
    assert (stats.submitted, stats.delivered, stats.dropped, stats.retried) == (3, 3, 0, 0)


def test_every_value_type_written_to_firestore_reaches_the_function(
    firestore_client: Any, project_id: str, function_server: tuple[str, Path]
) -> None:
    url, out = function_server
    stored, expected = every_type(firestore_client)
    with EventarcStandIn(firestore_client, ["licences"], url, project_id, retry=FAST):
        firestore_client.document("licences/every-type").set(stored)
        [record] = wait_for_seen(out, 1)
    assert record["change"].new == expected


def test_documents_present_at_start_are_not_events_unless_asked_for(
    firestore_client: Any, project_id: str
) -> None:
    firestore_client.document("licences/old").set({"n": 1})
    with serving() as target:
        with EventarcStandIn(firestore_client, ["licences"], target.url, project_id) as stand_in:
            firestore_client.document("licences/old").update({"n": 2})
            firestore_client.document("licences/new").set({"n": 1})
            deadline = time.monotonic() + 10
            while stand_in.stats().submitted < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert stand_in.wait_idle(5)
        changes = {c.path: c for c in (decode_document_event(r.body) for r in target.received)}
        assert set(changes) == {"licences/old", "licences/new"}
        assert (changes["licences/old"].old, changes["licences/old"].new) == ({"n": 1}, {"n": 2})
        assert changes["licences/new"].kind == "created"

    with serving() as target:
        stand_in = EventarcStandIn(
            firestore_client, ["licences"], target.url, project_id, include_existing=True
        )
        with stand_in:
            assert stand_in.wait_idle(5)
        existing = sorted(decode_document_event(r.body).path for r in target.received)
        assert existing == ["licences/new", "licences/old"]


def test_a_failing_function_gets_the_event_on_a_retry(
    firestore_client: Any, project_id: str
) -> None:
    with serving(failing_first(2, status=500)) as target:
        with EventarcStandIn(
            firestore_client, ["licences"], target.url, project_id, retry=FAST
        ) as stand_in:
            firestore_client.document(LICENCE).set({"assigned": 1})
            deadline = time.monotonic() + 10
            while stand_in.stats().delivered < 1 and time.monotonic() < deadline:
                time.sleep(0.02)
            stats = stand_in.stats()
        ids = target.ids()
    assert len(ids) == 3 and len(set(ids)) == 1  # one event, the same ce-id every attempt
    assert (stats.submitted, stats.delivered, stats.retried, stats.dropped) == (1, 1, 2, 0)


def test_the_command_line_watches_and_delivers(
    firestore_client: Any, project_id: str, firestore_emulator: Any
) -> None:
    with serving() as target:
        command = [sys.executable, "-m", "licence_manager_local.eventarc",
                   "--project", project_id, "--collections", "licences,licence_settings",
                   "--target", target.url]  # fmt: skip
        env = {**os.environ, "FIRESTORE_EMULATOR_HOST": firestore_emulator.host}
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
        )
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            while banner and "watching" not in banner:
                banner = process.stdout.readline()
            assert "watching licences, licence_settings" in banner
            assert f"projects/{project_id}" in banner and target.url in banner
            firestore_client.document("licence_settings/C1").set({"threshold": 0.9})
            deadline = time.monotonic() + 10
            while not target.received and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=15)
        assert process.returncode == 0, output
        assert "submitted=1 delivered=1" in output
        [received] = target.received
        assert received.headers["ce-subject"] == "documents/licence_settings/C1"


def test_the_command_line_refuses_to_run_without_the_emulator() -> None:
    env = {k: v for k, v in os.environ.items() if k != "FIRESTORE_EMULATOR_HOST"}
    result = subprocess.run(
        [sys.executable, "-m", "licence_manager_local.eventarc", "--project", "p",
         "--collections", "licences", "--target", "http://127.0.0.1:1/"],
        env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert "FIRESTORE_EMULATOR_HOST" in result.stderr

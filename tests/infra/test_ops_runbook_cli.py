"""The runbook's commands through the real command line: dead letters on Google's Pub/Sub
emulator (real client libraries), resend-notification on the in-memory unit of work the
contract tests hold to Firestore, verify-audit on the audit check's fakes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from licence_manager.cli import Clients, main
from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.audit_integrity import export_document, export_name
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.ops.dead_letters import DeadLetters
from licence_manager.services.audit_integrity import VerifyCustomerAudit
from tests.fakes.memory_audit_integrity import MemoryArchive, MemoryAuditChains
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.memory_dashboard import InMemoryApiStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

TOPIC = "lm-topup-requests"
DEAD = "lm-topup-requests-dead-letter"
INSPECT = "lm-topup-requests-dead-letter-inspect"
CHECK = "lm-topup-requests-check"


def cli(clients: Clients, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), clients=clients, out=out), out.getvalue()


# --- dead letters ---------------------------------------------------------------------------


@pytest.fixture
def pubsub(pubsub_emulator: Any, project_id: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host)
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    for topic in (TOPIC, DEAD):
        publisher.create_topic(name=publisher.topic_path(project_id, topic))
    for subscription, topic in ((INSPECT, DEAD), (CHECK, TOPIC)):
        subscriber.create_subscription(
            name=subscriber.subscription_path(project_id, subscription),
            topic=publisher.topic_path(project_id, topic),
            ack_deadline_seconds=60,
        )
    yield publisher, subscriber
    subscriber.close()


def dead_letter(publisher: Any, project: str, request_id: str) -> None:
    publisher.publish(
        publisher.topic_path(project, DEAD),
        json.dumps({"requestId": request_id}).encode(),
        origin="sweeper",
        CloudPubSubDeadLetterSourceDeliveryCount="5",
        CloudPubSubDeadLetterSourceSubscription="lm-topup-requests-to-apply_topup",
    ).result(timeout=30)


def drain(subscriber: Any, project: str, subscription: str) -> list[Any]:
    path = subscriber.subscription_path(project, subscription)
    got: list[Any] = []
    for _ in range(5):
        response = subscriber.pull(request={"subscription": path, "max_messages": 50}, timeout=5)
        if not response.received_messages:
            if got:
                break
            continue
        subscriber.acknowledge(
            request={
                "subscription": path,
                "ack_ids": [r.ack_id for r in response.received_messages],
            }
        )
        got += [r.message for r in response.received_messages]
    return got


def test_dead_letters_are_listed_shown_and_redriven_acked_only_after_publish(
    pubsub: tuple[Any, Any], project_id: str
) -> None:
    publisher, subscriber = pubsub
    for request_id in ("C01_1-auto-1", "C01_1-auto-2", "C02_9-manual-x"):
        dead_letter(publisher, project_id, request_id)
    clients = Clients(dead_letters=lambda p: DeadLetters(p, subscriber, publisher))
    ops = ("ops", "--project", project_id, "--prefix", "lm", "dead-letters")

    code, out = cli(clients, *ops, "list", "--subscription", "topup-requests")
    assert code == 0
    assert f"{INSPECT}: 3, oldest published" in out and "3 dead letters." in out

    code, out = cli(clients, *ops, "show", "--subscription", "topup-requests")
    assert code == 0
    assert out.count("5 attempts") == 3
    assert '{"requestId": "C02_9-manual-x"}' in out and '"origin": "sweeper"' in out
    assert "CloudPubSubDeadLetter" not in out

    code, out = cli(clients, *ops, "redrive", "--subscription", "topup-requests", "--dry-run")
    assert code == 0 and "Would re-drive 3 to lm-topup-requests." in out

    code, out = cli(clients, *ops, "redrive", "--subscription", INSPECT)
    assert code == 0
    assert "[3/3]" in out and "Re-drove 3 of 3 to lm-topup-requests." in out
    redriven = drain(subscriber, project_id, CHECK)
    assert sorted(json.loads(m.data)["requestId"] for m in redriven) == [
        "C01_1-auto-1",
        "C01_1-auto-2",
        "C02_9-manual-x",
    ]
    assert {dict(m.attributes)["origin"] for m in redriven} == {"sweeper"}
    assert not any(k.startswith("CloudPubSub") for m in redriven for k in m.attributes)
    code, out = cli(clients, *ops, "list", "--subscription", "topup-requests")
    assert "No dead letters." in out


def test_a_failed_publish_leaves_the_dead_letters_where_they_were(
    pubsub: tuple[Any, Any], project_id: str
) -> None:
    publisher, subscriber = pubsub
    dead_letter(publisher, project_id, "C01_1-auto-1")
    publisher.delete_topic(topic=publisher.topic_path(project_id, TOPIC))
    clients = Clients(dead_letters=lambda p: DeadLetters(p, subscriber, publisher))
    code, out = cli(
        clients, "ops", "--project", project_id, "dead-letters", "redrive", "--subscription", TOPIC
    )
    assert code == 1
    assert "Re-drove 0 of 1" in out and "nothing more was removed" in out
    assert len(drain(subscriber, project_id, INSPECT)) == 1


def test_an_unknown_route_names_the_known_ones() -> None:
    code, out = cli(
        Clients(), "ops", "--project", "p", "dead-letters", "show", "--subscription", "x"
    )
    assert code == 2 and "topup-requests" in out and "verify-audit-customer" in out


# --- resend-notification --------------------------------------------------------------------


def test_resend_notification_sends_once_and_refuses_a_delivered_email() -> None:
    store = InMemoryApiStore()
    key = LicenceKey("C01", "1010020020")
    failed = Notification(
        "C01_1010020020-low-1",
        key,
        NotificationType.LOW_LICENCES,
        datetime(2026, 12, 1, tzinfo=UTC),
        status=DeliveryStatus.FAILED,
        error="550 mailbox unavailable",
    )
    store.notification_records[failed.notification_id] = failed
    store.notification_records["C01_1010020020-low-2"] = replace(
        failed, notification_id="C01_1010020020-low-2", status=DeliveryStatus.SENT
    )
    publisher = RecordingPublisher()
    opened: list[tuple[str, str]] = []

    def publisher_of(project: str, prefix: str) -> RecordingPublisher:
        opened.append((project, prefix))
        return publisher

    clients = Clients(
        unit_of_work=lambda project, database: MemoryUnitOfWork(store),
        notification_publisher=publisher_of,
    )
    ops = ("ops", "--project", "lm-prod", "resend-notification")
    code, out = cli(clients, *ops, failed.notification_id, "--by", "kim")
    assert code == 0 and "Sent again as C01_1010020020-low-1-resend-1" in out
    assert publisher.notifications == ["C01_1010020020-low-1-resend-1"]
    assert opened == [("lm-prod", "lm")]
    again = store.notification_records["C01_1010020020-low-1-resend-1"]
    assert again.facts["resentBy"] == "kim" and again.status is DeliveryStatus.PENDING

    code, out = cli(clients, *ops, failed.notification_id)
    assert code == 0 and "Already sent again as C01_1010020020-low-1-resend-1" in out
    assert len([n for n in store.notification_records if "resend" in n]) == 1

    code, out = cli(clients, *ops, "C01_1010020020-low-2")
    assert code == 1 and "Not sent again" in out
    code, out = cli(clients, *ops, "nope")
    assert code == 1 and "No notification nope" in out


# --- verify-audit ---------------------------------------------------------------------------

KEY = LicenceKey("C01", "1010020020")


def grown(count: int) -> MemoryAuditChains:
    chains = MemoryAuditChains()
    head = GENESIS
    for n in range(count):
        entry = audit.append(
            head,
            KEY,
            datetime(2026, 11, 1, tzinfo=UTC),
            AuditAction.SEATS_CHANGED_OUTSIDE,
            Source.OUTSIDE,
            "sync",
            f"change {n}",
        )
        chains.append(entry)
        head = entry.head
    return chains


def test_verify_audit_reads_the_whole_chain_with_progress_and_finds_an_edit() -> None:
    chains = grown(2_500)
    clients = Clients(audit_chains=lambda project, database: chains)
    ops = ("ops", "--project", "p", "verify-audit", "--customer", "C01")
    code, out = cli(clients, *ops)
    assert code == 0
    assert "read 1000 of 2500 entries" in out and "read 2500 of 2500 entries" in out
    assert (
        f"OK      {KEY.sku_id}: 2500 entries, head 2500" in out
        and "1 chains checked: intact." in out
    )
    # The scheduled check's checkpoint is not trusted: an edit before it is found too.
    chains.checkpoints[KEY] = chains.heads[KEY]
    edited = replace(chains.entries_by_key[KEY][7], message="nothing happened")
    chains.entries_by_key[KEY][7] = edited
    code, out = cli(clients, *ops, "--sku", KEY.sku_id)
    assert code == 1
    assert "BROKEN" in out and "entry 7: content does not match its hash" in out
    code, out = cli(clients, "ops", "--project", "p", "verify-audit", "--customer", "C99")
    assert code == 1 and "No audit chains" in out


def test_verify_audit_against_the_export_catches_a_consistent_rewrite(tmp_path: Path) -> None:
    chains, archive = grown(5), MemoryArchive()
    day = datetime(2026, 12, 6, 4, 23, tzinfo=UTC)
    VerifyCustomerAudit(chains, archive, lambda: day)("C01")
    opened: list[str] = []

    def archive_at(where: str) -> MemoryArchive:
        opened.append(where)
        return archive

    clients = Clients(audit_chains=lambda p, d: chains, head_archive=archive_at)
    ops = ("ops", "--project", "p", "verify-audit", "--customer", "C01")
    code, out = cli(clients, *ops, "--against-export", "2026-12-06", "--heads", "lm-audit-heads")
    assert code == 0 and "every head exported in audit-heads/2026-12-06/C01.json" in out
    assert opened == ["lm-audit-heads"]
    # The whole chain rebuilt with other content: it verifies on its own, not against the export.
    rebuilt = MemoryAuditChains()
    head = GENESIS
    for n in range(5):
        entry = audit.append(
            head, KEY, day, AuditAction.PLAN_CHANGED, Source.SYNC, "someone", f"forged {n}"
        )
        rebuilt.append(entry)
        head = entry.head
    clients = Clients(audit_chains=lambda p, d: rebuilt, head_archive=archive_at)
    code, out = cli(clients, *ops, "--against-export", "2026-12-06", "--heads", "lm-audit-heads")
    assert code == 1
    assert f"OK      {KEY.sku_id}" in out
    assert f"EXPORT  {KEY.sku_id}: entry 5 differs from the head exported earlier" in out
    assert archive.get(export_name("C01", day)) != export_document("C01", day, [])


# --- delete-departed ------------------------------------------------------------------------


def test_delete_departed_is_a_dry_run_unless_told_and_records_before_deleting() -> None:
    from tests.fakes.memory_customer_data import MemoryCustomerData

    data, archive = MemoryCustomerData(), MemoryArchive()
    gone = datetime(2024, 1, 1, tzinfo=UTC)
    data.put("licences", "C01_1", {"status": "REMOVED", "updatedAt": gone})
    data.put("seat_holders", "C01_1_u1", {"email": "a@acme.example"})
    data.put("recipients", "C01_a@acme.example", {"email": "a@acme.example"})
    clients = Clients(customer_data=lambda p, d: data, head_archive=lambda where: archive)
    ops = ("ops", "--project", "p", "delete-departed", "--customer", "C01")
    code, out = cli(clients, *ops)
    assert code == 0
    assert "Would delete for C01 (departed 2024-01-01):" in out and "seat_holders: 1" in out
    assert "run again with --execute" in out
    assert "C01_1_u1" in data.collections["seat_holders"] and archive.objects == {}
    code, out = cli(clients, *ops, "--execute")
    assert code == 2 and "--execute needs --heads" in out
    code, out = cli(clients, *ops, "--execute", "--heads", "lm-audit-heads", "--by", "kim")
    assert code == 0 and "Deleted for C01" in out and "Recorded in lm-audit-heads/deletions/" in out
    assert data.collections["seat_holders"] == {} and data.collections["licences"] == {}
    [record] = archive.objects.values()
    assert json.loads(record)["by"] == "kim"
    code, out = cli(clients, *ops, "--after-days", "5")
    assert code == 2 and "at least 30 days" in out

"""Alert → delivered per channel kind (issue 14): the real sender posting to the Chat, Slack and
webhook stand-in, through the channel step (services.channel_delivery) on the in-memory unit of
work, with 429s (Retry-After 1 s) and ambiguous 5xx injected. Alerts arrive in bursts of three
per customer; latency is from the alert's step starting to its message in the stand-in's outbox.

    PYTHONPATH=src:. python -m bench.channels [--alerts 60] [--refuse-every 5]

Standalone (no emulators): the delivery logic and the wire, not Firestore's latency."""

from __future__ import annotations

import argparse
import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

from tests.fakes.channels import MemoryChannelStore
from tests.fakes.memory_automation import InMemoryStore
from tests.fakes.unit_of_work import MemoryUnitOfWork

from licence_manager.adapters.webhook_sender import WebhookSender
from licence_manager.domain.channels import Channel, ChannelKind
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.services.channel_delivery import DeliverToChannels
from licence_manager.services.errors import RetryLater
from licence_manager_local.channel_standins import start_channel_standin


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else 0.0


def run(alerts: int, refuse_every: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with start_channel_standin() as standin:
        for kind in ChannelKind:
            standin.app.reset()
            store, channels = InMemoryStore(), MemoryChannelStore()
            url = {
                ChannelKind.GOOGLE_CHAT: standin.chat_url("BENCH"),
                ChannelKind.SLACK: standin.slack_url("T/B/bench"),
                ChannelKind.WEBHOOK: standin.webhook_url("bench"),
            }[kind]
            customers = [f"C{i:02d}" for i in range(alerts // 3)]
            for customer in customers:
                channels.add_channel(
                    Channel(customer, "ch", kind, "bench", url, signing_secret="s")
                )
            standin.app.set_secret("bench", "s")
            deliver = DeliverToChannels(MemoryUnitOfWork(store), channels, WebhookSender(), "")
            # One burst in `refuse_every` meets a 429 (Retry-After 1 s, nothing posted) and one in
            # twenty a 500 after posting (ambiguous): queued faults, taken by the next posts.
            started: dict[str, float] = {}
            retried: list[str] = []
            threads = []
            for burst, customer in enumerate(customers):
                if burst % refuse_every == 0:
                    standin.app.refuse_next(429, retry_after=1)
                if burst % 20 == 7:
                    standin.app.fail_after_post(500)
                for sku in ("sku-a", "sku-a", "sku-b"):
                    nid = f"{customer}-{sku}-{len(started)}"
                    store.notification_records[nid] = Notification(
                        nid,
                        LicenceKey(customer, sku),
                        NotificationType.LOW_LICENCES,
                        datetime.now(UTC),
                        {"vacant": 1, "skuName": f"[{nid}]"},
                    )
                    started[nid] = time.monotonic()

                    def step(
                        nid: str = nid,
                        deliver: DeliverToChannels = deliver,
                        retried: list[str] = retried,
                    ) -> None:
                        try:
                            deliver(nid)
                        except RetryLater:
                            retried.append(nid)

                    threads.append(threading.Thread(target=step))
                    threads[-1].start()
                time.sleep(0.05)
            for thread in threads:
                thread.join(60)
            arrived: dict[str, float] = {}
            posts = standin.outbox.snapshot()
            for post in posts:
                at = datetime.fromisoformat(post.received_at).timestamp()
                ids = (
                    [n["id"] for n in post.body["notifications"]]
                    if kind is ChannelKind.WEBHOOK
                    else _ids_in(post.text, started)
                )
                for nid in ids:
                    arrived.setdefault(nid, at)
            offset = time.time() - time.monotonic()
            latencies = [arrived[n] - (started[n] + offset) for n in started if n in arrived]
            statuses = [
                next(d.status for d in store.notification_records[n].channel_deliveries)
                for n in started
            ]
            per_post: dict[str, int] = {}
            for post in posts:
                for nid in (
                    [n["id"] for n in post.body["notifications"]]
                    if kind is ChannelKind.WEBHOOK
                    else _ids_in(post.text, started)
                ):
                    per_post[nid] = per_post.get(nid, 0) + 1
            results[kind.value] = {
                "alerts": len(started),
                "posts": len(posts),
                "delivered": len(arrived),
                "p95_s": round(p95(latencies), 3),
                "max_s": round(max(latencies, default=0.0), 3),
                "unconfirmed": statuses.count(DeliveryStatus.UNCONFIRMED),
                "duplicated": sum(1 for c in per_post.values() if c > 1),
                "handed_back": len(retried),
            }
    return results


def _ids_in(text: str, started: dict[str, float]) -> list[str]:
    # Chat and Slack text carries no ids: the bench marks each alert's facts with its id.
    return [n for n in started if f"[{n}]" in text]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=60)
    parser.add_argument("--refuse-every", type=int, default=5, help="a 429 every N bursts")
    args = parser.parse_args()
    print(json.dumps(run(args.alerts, args.refuse_every), indent=2))


if __name__ == "__main__":
    main()

"""Run a scheduled job of a running `make run` now, the way Cloud Scheduler would: publish its
message to its topic on the local Pub/Sub emulator.

    python -m licence_manager_local.trigger sync
    python -m licence_manager_local.trigger month-end [--month 2026-10] [--customer ID]
    python -m licence_manager_local.trigger holders [--customer ID]
    python -m licence_manager_local.trigger verify-audit [--customer ID]

`month-end` plans the whole book, as the scheduler does; with `--customer` it publishes that one
customer's message instead (a rerun for one customer: written and emailed once, as ever).
`holders` plans the daily holder sync of every customer; with `--customer`, that one customer.
`verify-audit` plans the daily audit check (heads exported to .local-run/audit-heads); with
`--customer`, that one customer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from licence_manager_local import topology

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = ROOT / ".local-run" / "endpoints.json"
JOBS = {
    "sync": (topology.SYNC_TOPIC, {"job": "sync-usage"}),
    "month-end": (topology.MONTH_END_TOPIC, {"job": "month-end-report"}),
    "holders": (topology.HOLDER_SYNC_TOPIC, {"job": "sync-holders"}),
    "verify-audit": (topology.AUDIT_VERIFY_TOPIC, {"job": "verify-audit"}),
}


def publish(project: str, topic: str, body: dict[str, str]) -> str:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    publisher = pubsub_v1.PublisherClient()
    future = publisher.publish(publisher.topic_path(project, topic), json.dumps(body).encode())
    return str(future.result(timeout=30))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("job", choices=sorted(JOBS))
    parser.add_argument("--month", help="month-end only: YYYY-MM (default: last month)")
    parser.add_argument(
        "--customer", help="month-end (with --month), holders or verify-audit: just this customer"
    )
    args = parser.parse_args(argv)
    if not ENDPOINTS.exists():
        print("No running `make run` found (no .local-run/endpoints.json).", file=sys.stderr)
        return 1
    endpoints = json.loads(ENDPOINTS.read_text())
    os.environ["PUBSUB_EMULATOR_HOST"] = endpoints["pubsub_host"]
    topic, body = JOBS[args.job]
    if args.month:
        body = {**body, "month": args.month}
    if args.customer and args.job == "holders":
        topic = topology.HOLDER_SYNC_CUSTOMER_TOPIC
        body = {"job": "sync-holders-customer", "customerId": args.customer}
    elif args.customer and args.job == "verify-audit":
        topic = topology.AUDIT_VERIFY_CUSTOMER_TOPIC
        body = {"job": "verify-audit-customer", "customerId": args.customer}
    elif args.customer:
        if args.job != "month-end" or not args.month:
            parser.error("--customer is for month-end, with --month")
        topic = topology.MONTH_END_CUSTOMER_TOPIC
        body = {"job": "month-end-customer", "customerId": args.customer, "month": args.month}
    message_id = publish(endpoints["project"], topic, body)
    print(f"published {body} to {topic} (message {message_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

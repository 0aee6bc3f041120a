"""The naive peer: the straightforward way to do the usage sync, kept only to be compared with.

For each customer it knows (its own `customers` collection: the Reseller API cannot list
customers), it calls subscriptions.list for that customer, then writes every subscription's
document again whether or not anything changed. It uses the same client library and the same
Firestore as Licence Manager, so the difference is the design, not the tools.

    python -m bench.naive_sync --reseller http://127.0.0.1:8085/ --project p --budget 60
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class NaiveRun:
    customers_total: int
    customers_done: int = 0
    subscriptions_written: int = 0
    api_calls: int = 0
    firestore_writes: int = 0
    seconds: float = 0.0
    finished: bool = False

    @property
    def seconds_per_customer(self) -> float:
        return self.seconds / max(self.customers_done, 1)

    @property
    def projected_seconds(self) -> float:
        """The whole run: measured if it finished, else extrapolated from the customers done."""
        if self.finished:
            return self.seconds
        return self.seconds_per_customer * self.customers_total


def naive_sync(
    service: Any,
    read_db: Any,
    write_db: Any,
    budget_seconds: float,
    clock: Callable[[], float] = time.perf_counter,
) -> NaiveRun:
    customers = [snap.id for snap in read_db.collection("customers").stream()]
    run = NaiveRun(customers_total=len(customers))
    start = clock()
    for customer_id in customers:
        if clock() - start > budget_seconds:
            break
        page_token = None
        while True:
            response = (
                service.subscriptions()
                .list(customerId=customer_id, maxResults=100, pageToken=page_token)
                .execute()
            )
            run.api_calls += 1
            for item in response.get("subscriptions", []):
                seats = item.get("seats", {})
                doc = {
                    "customerId": item["customerId"],
                    "customerDomain": item.get("customerDomain", ""),
                    "skuId": item["skuId"],
                    "skuName": item.get("skuName", ""),
                    "planName": item.get("plan", {}).get("planName", ""),
                    "status": item.get("status", ""),
                    "total": seats.get("numberOfSeats") or seats.get("maximumNumberOfSeats"),
                    "assigned": seats.get("licensedNumberOfSeats", 0),
                    "updatedAt": time.time(),
                }
                doc_id = f"{item['customerId']}_{item['skuId']}"
                write_db.collection("licences").document(doc_id).set(doc)
                run.firestore_writes += 1
                run.subscriptions_written += 1
            page_token = response.get("nextPageToken")
            if not page_token:
                break
        run.customers_done += 1
    run.seconds = clock() - start
    run.finished = run.customers_done == run.customers_total
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseller", required=True, help="Reseller API endpoint (simulator)")
    parser.add_argument("--project", required=True, help="Firestore project with customers")
    parser.add_argument("--write-project", help="where to write (default: --project)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds before stopping")
    args = parser.parse_args(argv)
    from google.cloud import firestore

    from licence_manager.adapters.reseller_client import build_reseller_service
    from licence_manager.config import Settings

    service = build_reseller_service(Settings.from_env({"RESELLER_API_ENDPOINT": args.reseller}))
    run = naive_sync(
        service,
        firestore.Client(project=args.project),
        firestore.Client(project=args.write_project or args.project),
        args.budget,
    )
    print(json.dumps({**asdict(run), "projectedSeconds": run.projected_seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

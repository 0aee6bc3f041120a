"""python -m licence_manager_local.eventarc: deliver Firestore emulator document changes to a
function as Eventarc would. Runs until Ctrl-C or SIGTERM, then drains and prints its counts."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from licence_manager.firestore_events import EVENT_TYPES, WRITTEN
from licence_manager_local.eventarc.delivery import RetryPolicy
from licence_manager_local.eventarc.standin import EventarcStandIn


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m licence_manager_local.eventarc",
        description="Local stand-in for Eventarc Firestore triggers (needs "
        "FIRESTORE_EMULATOR_HOST).",
    )
    parser.add_argument("--project", required=True)
    parser.add_argument("--collections", required=True, help="comma-separated, top-level only")
    parser.add_argument("--target", required=True, help="the function's URL")
    parser.add_argument("--database", default="(default)")
    parser.add_argument("--location", default="nam5")
    parser.add_argument("--event-type", default=WRITTEN, choices=sorted(EVENT_TYPES))
    parser.add_argument("--include-existing", action="store_true",
                        help="also deliver the documents present at start, as creates")  # fmt: skip
    parser.add_argument("--max-attempts", type=int, default=8)
    parser.add_argument("--initial-backoff", type=float, default=0.2)
    parser.add_argument("--max-backoff", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for an answer before retrying")  # fmt: skip
    parser.add_argument("--duplicate-every", type=int, default=0,
                        help="fault injection: send every Nth event twice")  # fmt: skip
    parser.add_argument("--shuffle-window", type=int, default=0,
                        help="fault injection: reorder events in batches of N")  # fmt: skip
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every delivery")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    host = os.environ.get("FIRESTORE_EMULATOR_HOST")
    if not host:
        print("FIRESTORE_EMULATOR_HOST is not set: this stand-in only watches the Firestore "
              "emulator.", file=sys.stderr)  # fmt: skip
        return 2
    collections = [name.strip() for name in args.collections.split(",") if name.strip()]

    from google.cloud import firestore

    client = firestore.Client(project=args.project, database=args.database)
    retry = RetryPolicy(initial_backoff=args.initial_backoff, max_backoff=args.max_backoff,
                        max_attempts=args.max_attempts)  # fmt: skip
    stand_in = EventarcStandIn(
        client, collections, args.target, args.project, args.database, args.location, retry,
        event_type=args.event_type, include_existing=args.include_existing,
        workers=args.workers, timeout=args.timeout, duplicate_every=args.duplicate_every,
        shuffle_window=args.shuffle_window, seed=args.seed,
    )  # fmt: skip
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stand_in.start()
    print(f"eventarc stand-in: watching {', '.join(collections)} in projects/{args.project}/"
          f"databases/{args.database} on the Firestore emulator at {host}; delivering "
          f"{args.event_type} to {args.target}", flush=True)  # fmt: skip
    stopping.wait()
    stats = stand_in.stop(drain=True, timeout=5.0)
    print(f"eventarc stand-in: stopped; submitted={stats.submitted} delivered={stats.delivered} "
          f"retried={stats.retried} dropped={stats.dropped} abandoned={stats.abandoned}",
          flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

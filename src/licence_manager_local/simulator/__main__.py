"""`python -m licence_manager_local.simulator`: serve a demo or generated world until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ..serving import serve_until_stopped
from .demo import demo_world, generated_world
from .notifications import DEFAULT_TOPIC, Notifier, pubsub_sink
from .runner import start_simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m licence_manager_local.simulator",
        description="Serve a simulated Google Workspace Reseller API v1, with the Directory "
        "(users), Licensing and Reports (user usage) APIs on the same port.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8085, help="0 picks a free port")
    world = parser.add_mutually_exclusive_group()
    world.add_argument("--demo", action="store_true", help="the hand-made demo world (default)")
    world.add_argument("--subscriptions", type=int, metavar="N", help="a generated world of N")
    parser.add_argument("--customers", type=int, metavar="M", help="with --subscriptions")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--drift-seconds", type=float, default=None, help="users join/leave every so often"
    )
    parser.add_argument("--control", action="store_true", help="enable the /_control/ routes")
    parser.add_argument("--strict", action="store_true", help="check responses against schema")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--notifications",
        metavar="TOPIC",
        nargs="?",
        const=DEFAULT_TOPIC,
        help="publish Google's Reseller notifications to this Pub/Sub topic (full name; the "
        "emulator's when PUBSUB_EMULATOR_HOST is set) once an account registers",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.subscriptions is not None:
        world = generated_world(args.subscriptions, args.seed, n_customers=args.customers)
    else:
        world = demo_world(args.seed)
    sim = start_simulator(
        world,
        args.host,
        args.port,
        control=args.control,
        strict=args.strict,
        drift_seconds=args.drift_seconds,
        drift_seed=args.seed,
        fault_seed=args.seed,
        log_requests=not args.quiet,
        notifier=Notifier(pubsub_sink(), args.notifications, args.seed)
        if args.notifications
        else None,
    )
    counts = f"{len(world.customers())} customers, {len(world.subscriptions())} subscriptions"
    users = sum(len(d.users) for d in world.people.directories())
    counts += f", {users} users" if users else ", users made up on first use"
    extras = [
        "control on" if args.control else "control off",
        f"drift every {args.drift_seconds:g}s" if args.drift_seconds else "no drift",
        f"notifications to {args.notifications}" if args.notifications else "no notifications",
    ]
    print(f"Workspace API simulator listening on {sim.url} ({counts}; {', '.join(extras)})")
    print(f'  client_options={{"api_endpoint": "{sim.url}"}}   Ctrl-C to stop', flush=True)

    serve_until_stopped(sim.stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())

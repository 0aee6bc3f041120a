"""python -m licence_manager_local.soak [--minutes N]: exit 0 only when the reconciliation table
has no differences and every check passed."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from licence_manager_local.run import ROOT
from licence_manager_local.soak.session import SoakPlan, soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m licence_manager_local.soak", description=__doc__
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=float(os.environ.get("SOAK_MINUTES", "20")),
        help="the whole soak, quiet period included (default: SOAK_MINUTES or 20)",
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", "1")))
    parser.add_argument("--lease-seconds", type=float, default=180.0,
                        help="TOPUP_LEASE_SECONDS given to the functions")  # fmt: skip
    parser.add_argument("--sync-interval", type=float, default=8.0)
    parser.add_argument("--no-faults", dest="faults", action="store_false")
    parser.add_argument("--workdir", type=Path, default=ROOT / ".local-run" / "soak")
    args = parser.parse_args(argv)
    plan = SoakPlan(
        minutes=args.minutes,
        seed=args.seed,
        lease_seconds=args.lease_seconds,
        sync_interval=args.sync_interval,
        faults=args.faults,
    )
    return soak(plan, args.workdir, lambda line: print(line, flush=True))


if __name__ == "__main__":
    sys.exit(main())

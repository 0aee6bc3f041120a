"""The `licence-manager` command line, for ops and account managers.

Each subcommand lives with its concern, registers its parser here and sets `run`: `ops` manages
the deployment's Cloud Scheduler jobs; `export` writes reports to CSV; `users` provisions who
may use the dashboard; `prices` keeps the reseller's price list. Google client libraries are
imported only when a command needs them, so
`--help` and argument errors are instant."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from licence_manager import export_commands
from licence_manager.ops import commands as ops_commands
from licence_manager.ops import money, notifications, prices_commands, scheduler, users
from licence_manager.ports import LicenceStore
from licence_manager.ports.prices import PriceList
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.ports.user_admin import UserAdmin
from licence_manager.services.reports import Reports


@dataclass(frozen=True)
class Clients:
    """How commands reach Google. Tests hand in factories for clients that talk to local
    stand-ins speaking the real wire format."""

    scheduler: Callable[[], scheduler.SchedulerClient] = field(default=scheduler.default_client)
    reports: Callable[[], tuple[Reports, LicenceStore]] = field(
        default=export_commands.default_reports
    )
    savings: Callable[[], export_commands.SavingsClients] = field(
        default=export_commands.default_savings
    )
    unit_of_work: Callable[[str, str], UnitOfWork] = field(default=money.default_unit_of_work)
    user_admin: Callable[[str, str], UserAdmin] = field(default=users.default_user_admin)
    price_list: Callable[[str, str], PriceList] = field(default=prices_commands.default_price_list)
    reseller: Callable[[], Any] = field(default=notifications.default_reseller)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="licence-manager",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ops_commands.register(commands)
    export_commands.register(commands)
    users.register(commands)
    prices_commands.register(commands)
    return parser


def main(
    argv: Sequence[str] | None = None, *, clients: Clients | None = None, out: TextIO | None = None
) -> int:
    args = build_parser().parse_args(argv)
    clients = clients or Clients()
    stream = out or sys.stdout
    # Every subcommand sets `run` (see its register()).
    run: Callable[[argparse.Namespace, Clients, TextIO], int] = args.run
    return run(args, clients, stream)


if __name__ == "__main__":
    sys.exit(main())

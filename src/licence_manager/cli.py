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
from licence_manager.ops.dead_letters import DeadLetters, default_dead_letters
from licence_manager.ports import LicenceStore, Publisher
from licence_manager.ports.audit_integrity import AuditChains, HeadArchive
from licence_manager.ports.customer_data import CustomerData
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
    dead_letters: Callable[[str], DeadLetters] = field(default=default_dead_letters)
    notification_publisher: Callable[[str, str], Publisher] = field(
        default=lambda project, prefix: _publisher(project, prefix)
    )
    audit_chains: Callable[[str, str], AuditChains] = field(
        default=lambda project, database: _audit_chains(project, database)
    )
    head_archive: Callable[[str], HeadArchive] = field(default=lambda where: _archive(where))
    customer_data: Callable[[str, str], CustomerData] = field(
        default=lambda project, database: _customer_data(project, database)
    )


def _customer_data(project: str, database: str) -> CustomerData:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_customer_data import FirestoreCustomerData

    return FirestoreCustomerData(firestore.Client(project=project, database=database))


def _publisher(project: str, prefix: str) -> Publisher:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    from licence_manager.adapters.pubsub_publisher import PubSubPublisher

    return PubSubPublisher(
        pubsub_v1.PublisherClient(), project, f"{prefix}-topup-requests", f"{prefix}-alerts"
    )


def _audit_chains(project: str, database: str) -> AuditChains:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_audit_integrity import FirestoreAuditChains

    return FirestoreAuditChains(firestore.Client(project=project, database=database))


def _archive(where: str) -> HeadArchive:
    """A local directory (make run's .local-run/audit-heads) or the bucket's name."""
    import os

    from licence_manager.adapters.head_archive import DirectoryArchive, GcsArchive, default_session

    if os.path.isdir(where):
        return DirectoryArchive(where)
    return GcsArchive(where.removeprefix("gs://"), default_session())


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

"""`licence-manager ops resend-notification` and `ops verify-audit` (registered in
ops/runbook.py).

resend-notification goes through the dashboard's own service (services/resend.py): a new
notification `{original}-resend-{n}` with its NOTIFICATION_RESENT audit entry in one
transaction, then published; a double run answers with the resend already on its way, and a
delivered email is refused. Nothing is ever sent twice blindly.

verify-audit reads a customer's chains from their first entry (a page at a time, with
progress), independently of the scheduled check's checkpoints, and with --against-export also
compares them with the heads exported to the retention-locked bucket that day."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from licence_manager.domain import resend
from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.audit_integrity import (
    ChainState,
    check_chain,
    compare_with_export,
    export_name,
    exported_heads,
)
from licence_manager.domain.model import LicenceKey
from licence_manager.ports.audit_integrity import AuditChains, HeadArchive

if TYPE_CHECKING:
    from licence_manager.ops.runbook import RunbookClients

# Entries read per round trip while verifying a chain from its start.
PAGE = 1_000


def resend_notification(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    from licence_manager.services.resend import NotificationNotFound, ResendNotification

    uow = clients.unit_of_work(args.project, args.database)
    shown = uow.run(lambda tx: tx.notifications.get(args.notification_id))
    if shown is None:
        print(f"No notification {args.notification_id}.", file=out)
        return 1
    publisher = clients.notification_publisher(args.project, args.prefix)
    try:
        done = ResendNotification(uow, publisher)(
            shown.key.customer_id, args.notification_id, args.by
        )
    except (NotificationNotFound, resend.NotResendable) as error:
        print(f"Not sent again: {error}", file=out)
        return 1
    again = done.notification
    if done.created:
        print(
            f"Sent again as {again.notification_id} (PENDING, published to {args.prefix}-alerts; "
            "the customer's Notifications page shows how it went). Running this again sends "
            "nothing more while it is on its way.",
            file=out,
        )
    else:
        print(
            f"Already sent again as {again.notification_id} ({again.status.value}); "
            "nothing new was sent.",
            file=out,
        )
    return 0


def _whole_chain(chains: AuditChains, key: LicenceKey, last: int, out: TextIO) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for first in range(1, last + 1, PAGE):
        entries += chains.entries(key, first, min(last, first + PAGE - 1))
        if last > PAGE:
            print(f"  {key.sku_id}: read {len(entries)} of {last} entries", file=out, flush=True)
    return entries


def verify_audit(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    chains = clients.audit_chains(args.project, args.database)
    states = [
        s for s in chains.chains_of(args.customer) if args.sku is None or s.key.sku_id == args.sku
    ]
    if not states:
        print(f"No audit chains for customer {args.customer}.", file=out)
        return 1
    broken = 0
    read: dict[str, dict[int, AuditEntry]] = {}
    for state in states:
        last = max(
            state.head.seq if state.head else 0, state.checkpoint.seq if state.checkpoint else 0
        )
        entries = _whole_chain(chains, state.key, last, out)
        read[state.key.sku_id] = {e.seq: e for e in entries}
        # From the beginning: the scheduled check's checkpoint is not trusted here.
        whole = ChainState(state.key, state.head, None)
        check = check_chain(whole, entries, limit=max(last, 1))
        if state.head is None:
            check_problems = (*check.problems, "the chain's head record is missing")
        else:
            check_problems = check.problems
        if check_problems:
            broken += 1
            print(f"BROKEN  {state.key.sku_id}: {len(entries)} entries", file=out)
            for problem in check_problems:
                print(f"          {problem}", file=out)
        else:
            print(
                f"OK      {state.key.sku_id}: {len(entries)} entries, head {check.head.seq}",
                file=out,
            )
    if args.against_export:
        broken += _against_export(args, clients, read, out)
    summary = f"{broken} with problems" if broken else "intact"
    print(f"{len(states)} chains checked: {summary}.", file=out)
    return 1 if broken else 0


def _against_export(
    args: argparse.Namespace,
    clients: RunbookClients,
    read: dict[str, dict[int, AuditEntry]],
    out: TextIO,
) -> int:
    from datetime import UTC, datetime

    if not args.heads:
        print("--against-export needs --heads (or $AUDIT_HEADS_BUCKET).", file=out)
        return 1
    day = datetime.strptime(args.against_export, "%Y-%m-%d").replace(tzinfo=UTC)
    name = export_name(args.customer, day)
    document = clients.head_archive(args.heads).get(name)
    if document is None:
        print(f"No export {name} in {args.heads}.", file=out)
        return 1
    exported = exported_heads(document)
    if args.sku is not None:
        exported = {sku: head for sku, head in exported.items() if sku == args.sku}
    problems = compare_with_export(exported, read)
    for problem in problems:
        print(f"EXPORT  {problem}", file=out)
    if not problems:
        print(f"EXPORT  every head exported in {name} is still in the chains.", file=out)
    return len(problems)


def delete_departed(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    from licence_manager.domain.departure import Retention
    from licence_manager.services.departures import DeleteDepartedCustomer, record_name

    if args.execute and not args.heads:
        print("--execute needs --heads (or $AUDIT_HEADS_BUCKET): the record goes there.", file=out)
        return 2
    try:
        retention = Retention(args.after_days, args.invoicing_days)
    except ValueError as error:
        print(f"licence-manager ops delete-departed: {error}", file=out)
        return 2
    data = clients.customer_data(args.project, args.database)
    archive = clients.head_archive(args.heads) if args.heads else _NoArchive()
    report = DeleteDepartedCustomer(data, archive, retention)(
        args.customer, execute=args.execute, by=args.by
    )
    if not report.counts:
        print(f"{args.customer}: nothing to delete ({report.reason}).", file=out)
        return 0
    verb = "Deleted" if report.deleted else "Would delete"
    print(f"{verb} for {args.customer} (departed {report.departed:%Y-%m-%d}):", file=out)
    for collection, count in report.counts.items():
        if count:
            print(f"  {collection}: {count}", file=out)
    print(f"Invoicing records dated from {report.kept_from:%Y-%m-%d} on are kept.", file=out)
    if report.deleted:
        print(f"Recorded in {args.heads}/{record_name(args.customer, report.at)}.", file=out)
    else:
        print("Nothing was changed: run again with --execute to delete.", file=out)
    return 0


class _NoArchive(HeadArchive):
    """A dry run writes nothing anywhere."""

    def put_new(self, name: str, content: bytes) -> bool:
        raise AssertionError("a dry run keeps no record")

    def get(self, name: str) -> bytes | None:
        return None

"""`licence-manager ops` commands the runbook names (docs/operations.md, "Commands"):

    licence-manager ops dead-letters list [--subscription ROUTE]
    licence-manager ops dead-letters show --subscription ROUTE [--limit N]
    licence-manager ops dead-letters redrive --subscription ROUTE [--limit N] [--dry-run]
    licence-manager ops resend-notification NOTIFICATION_ID
    licence-manager ops verify-audit --customer ID [--sku SKU] [--against-export YYYY-MM-DD]
    licence-manager ops delete-departed --customer ID [--execute] [--heads BUCKET]

They use your own credentials (`gcloud auth application-default login`): Pub/Sub subscriber
and publisher on the deployment's topics for dead letters, roles/datastore.user for
resend-notification (it creates the new email), roles/datastore.viewer for verify-audit, and
object viewer on the audit heads bucket for --against-export."""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from typing import Protocol, TextIO

from licence_manager.ops import audit_commands
from licence_manager.ops.dead_letters import (
    DeadLetter,
    DeadLetterError,
    DeadLetters,
    Route,
    route_named,
    routes,
    show,
)
from licence_manager.ports import Publisher
from licence_manager.ports.audit_integrity import AuditChains, HeadArchive
from licence_manager.ports.customer_data import CustomerData
from licence_manager.ports.unit_of_work import UnitOfWork


class RunbookClients(Protocol):
    """What these commands need from licence_manager.cli.Clients."""

    @property
    def dead_letters(self) -> Callable[[str], DeadLetters]: ...

    @property
    def unit_of_work(self) -> Callable[[str, str], UnitOfWork]: ...

    @property
    def notification_publisher(self) -> Callable[[str, str], Publisher]:
        """(project, prefix) → a publisher to the deployment's topics."""
        ...

    @property
    def audit_chains(self) -> Callable[[str, str], AuditChains]: ...

    @property
    def customer_data(self) -> Callable[[str, str], CustomerData]: ...

    @property
    def head_archive(self) -> Callable[[str], HeadArchive]:
        """A bucket name, or a local directory (make run's .local-run/audit-heads)."""
        ...


Handler = Callable[[argparse.Namespace, RunbookClients, TextIO], int]


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dead = actions.add_parser(
        "dead-letters",
        help="inspect and re-drive messages Pub/Sub gave up delivering",
        description="Messages on the dead-letter subscriptions: list, show, re-drive.",
    )
    verbs = dead.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = _add(verbs, "list", "how many dead letters each route holds", _list)
    listing.add_argument("--subscription", help="only this route (e.g. topup-requests)")
    listing.add_argument("--limit", type=int, default=1000, help="count at most this many")
    for name, help_text, handler in (
        ("show", "print dead letters (they stay where they are)", _show),
        ("redrive", "publish dead letters to their topic again, then remove them", _redrive),
    ):
        verb = _add(verbs, name, help_text, handler)
        verb.add_argument("--subscription", required=True, help="the route, e.g. alerts")
        verb.add_argument("--limit", type=int, default=100, help="at most this many (100)")
        if name == "redrive":
            verb.add_argument(
                "--dry-run", action="store_true", help="say what would be re-driven; change nothing"
            )
    resend = _add(
        actions,
        "resend-notification",
        "send an email again (once, or flagged), as the Notifications page does",
        audit_commands.resend_notification,
    )
    resend.add_argument("notification_id")
    verify = _add(
        actions,
        "verify-audit",
        "verify a customer's audit hash chains from their first entry",
        audit_commands.verify_audit,
    )
    verify.add_argument("--customer", required=True, help="the customer id")
    verify.add_argument("--sku", help="only this chain (a SKU id, or 'customer')")
    verify.add_argument(
        "--against-export",
        metavar="YYYY-MM-DD",
        help="also compare with the heads exported that day (the retention-locked bucket)",
    )
    _heads(verify)
    delete = _add(
        actions,
        "delete-departed",
        "report (or with --execute delete) a departed customer's data once it is due",
        audit_commands.delete_departed,
    )
    delete.add_argument("--customer", required=True, help="the customer id")
    delete.add_argument(
        "--execute", action="store_true", help="delete; without it, only report (a dry run)"
    )
    delete.add_argument("--after-days", type=int, default=400, help="days after departing (400)")
    delete.add_argument(
        "--invoicing-days", type=int, default=2557, help="days invoicing records are kept (2557)"
    )
    _heads(delete)


def _heads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--heads",
        default=os.environ.get("AUDIT_HEADS_BUCKET") or os.environ.get("AUDIT_HEADS_DIR"),
        help="the audit heads bucket (terraform output audit_heads_bucket), or a local "
        "directory; default $AUDIT_HEADS_BUCKET, then $AUDIT_HEADS_DIR",
    )


def _add(
    parent: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Handler,
) -> argparse.ArgumentParser:
    action = parent.add_parser(name, help=help_text, description=help_text)
    for option, text in (
        ("--project", "project id (also before the action)"),
        ("--prefix", "resource name prefix (also before the action)"),
    ):
        action.add_argument(option, default=argparse.SUPPRESS, help=text)
    action.add_argument(
        "--database",
        default=os.environ.get("FIRESTORE_DATABASE", "(default)"),
        help="Firestore database (default: $FIRESTORE_DATABASE, then (default))",
    )
    action.add_argument(
        "--by",
        default=f"ops-cli:{getpass.getuser()}",
        help="who to record as having done it",
    )
    action.set_defaults(runbook=handler)
    return action


def _chosen(args: argparse.Namespace) -> list[Route]:
    if getattr(args, "subscription", None):
        return [route_named(args.prefix, args.subscription)]
    return routes(args.prefix)


def _list(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    letters = clients.dead_letters(args.project)
    total = 0
    for route in _chosen(args):
        found = letters.pull(route, args.limit)
        letters.release(route, found)
        total += len(found)
        oldest = min((d.published for d in found if d.published), default=None)
        since = f", oldest published {oldest:%Y-%m-%d %H:%M} UTC" if oldest else ""
        more = "+" if len(found) >= args.limit else ""
        print(f"{route.subscription}: {len(found)}{more}{since}", file=out)
    print(f"{total} dead letters." if total else "No dead letters.", file=out)
    return 0


def _show(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    route = route_named(args.prefix, args.subscription)
    letters = clients.dead_letters(args.project)
    found = letters.pull(route, args.limit)
    try:
        show(found, out)
    finally:
        letters.release(route, found)
    print(f"{len(found)} on {route.subscription} (left there).", file=out)
    return 0


def _redrive(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    route = route_named(args.prefix, args.subscription)
    letters = clients.dead_letters(args.project)
    found = letters.pull(route, args.limit)
    if args.dry_run or not found:
        show(found, out)
        letters.release(route, found)
        verb = "Would re-drive" if args.dry_run else "Nothing to re-drive:"
        print(f"{verb} {len(found)} to {route.topic}.", file=out)
        return 0

    done = [0]

    def progress(count: int, letter: DeadLetter) -> None:
        done[0] = count
        print(f"[{count}/{len(found)}] {letter.message_id} -> {route.topic}", file=out, flush=True)

    from google.api_core.exceptions import GoogleAPIError

    try:
        letters.redrive(route, found, progress)
    except GoogleAPIError as error:
        print(f"Publishing to {route.topic} failed ({error}); nothing more was removed.", file=out)
        return 1
    finally:
        # Whatever was not re-driven (a publish failed) goes back as it was, at once.
        letters.release(route, found[done[0] :])
        print(f"Re-drove {done[0]} of {len(found)} to {route.topic}.", file=out)
    return 0


def run(args: argparse.Namespace, clients: RunbookClients, out: TextIO) -> int:
    handler: Handler = args.runbook
    try:
        return handler(args, clients, out)
    except DeadLetterError as error:
        print(f"licence-manager ops: {error}", file=out)
        return 2

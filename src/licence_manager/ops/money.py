"""`licence-manager ops` commands that act on what may be bought (security review #11, #14):

    licence-manager ops pause-buying --reason "..."   stop every purchase and seat change now
    licence-manager ops resume-buying
    licence-manager ops spending-limit --customer ID [--seats N] [--monthly-pounds N]
    licence-manager ops resume-top-ups --customer ID --sku SKU   lift the anomaly guard's pause

They write the deployment's Firestore (--project, --database; your own credentials, as for
`licence-manager users`) through the same services as the dashboard, so a pause
is seen by apply_topup before its next Google write and by the dashboard at once. resume-top-ups
also publishes, as the dashboard's Resume does, to the deployment's Pub/Sub (--prefix)."""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.spending import limit_problems, pounds
from licence_manager.ports import Publisher
from licence_manager.ports.unit_of_work import UnitOfWork
from licence_manager.services.anomaly import NotPaused, ResumeTopUps
from licence_manager.services.buying_control import set_buying_paused
from licence_manager.services.spending import set_spending_limit, spending_limit

# The publisher is built only by a command that publishes (resume-top-ups evaluates at once).
Handler = Callable[[argparse.Namespace, UnitOfWork, Callable[[], Publisher], TextIO], int]


def default_unit_of_work(project: str, database: str) -> UnitOfWork:
    """A FirestoreUnitOfWork on the deployment's database, built as bootstrap builds it."""
    from google.cloud import firestore

    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork

    return FirestoreUnitOfWork(firestore.Client(project=project, database=database))


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pause = _add(actions, "pause-buying", "pause all buying for every customer", _pause)
    pause.add_argument("--reason", required=True, help="why; every dashboard user sees it")
    _add(actions, "resume-buying", "resume buying", _resume)
    resume = _add(
        actions,
        "resume-top-ups",
        "resume one licence's automatic top-ups paused by the anomaly guard",
        _resume_top_ups,
    )
    resume.add_argument("--customer", required=True, help="the customer id")
    resume.add_argument("--sku", required=True, help="the SKU id")
    limit = _add(
        actions,
        "spending-limit",
        "show or change a customer's spending limits (without --seats or --monthly-pounds: show)",
        _limit,
    )
    limit.add_argument("--customer", required=True, help="the customer id")
    limit.add_argument("--seats", type=int, help="most seats one request may add unapproved")
    limit.add_argument(
        "--monthly-pounds", type=int, help="most a month's requests may cost unapproved (£)"
    )


def _add(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Handler,
) -> argparse.ArgumentParser:
    action = actions.add_parser(name, help=help_text, description=help_text)
    action.add_argument(
        "--project", default=argparse.SUPPRESS, help="project id (also before the action)"
    )
    action.add_argument(
        "--prefix", default=argparse.SUPPRESS, help="resource name prefix (also before the action)"
    )
    action.add_argument(
        "--database",
        default=os.environ.get("FIRESTORE_DATABASE", "(default)"),
        help="Firestore database (default: $FIRESTORE_DATABASE, then (default))",
    )
    action.add_argument(
        "--by",
        default=f"ops-cli:{getpass.getuser()}",
        help="who to record as having made the change",
    )
    action.set_defaults(money=handler)
    return action


def _pause(
    args: argparse.Namespace, uow: UnitOfWork, _publisher: Callable[[], Publisher], out: TextIO
) -> int:
    set_buying_paused(uow, True, args.by, datetime.now(UTC), args.reason.strip())
    print(f"Buying paused for every customer ({args.reason.strip()}).", file=out)
    print(
        "Nothing is sent to Google until resume-buying; requests already waiting fail with "
        "an email when apply_topup reaches them.",
        file=out,
    )
    return 0


def _resume(
    args: argparse.Namespace, uow: UnitOfWork, _publisher: Callable[[], Publisher], out: TextIO
) -> int:
    set_buying_paused(uow, False, args.by, datetime.now(UTC))
    print("Buying resumed.", file=out)
    return 0


def _resume_top_ups(
    args: argparse.Namespace, uow: UnitOfWork, publisher: Callable[[], Publisher], out: TextIO
) -> int:
    """As the dashboard's Resume button: lift the pause, then evaluate the licence at once
    (services.anomaly.ResumeTopUps), publishing the top-up request if it is now due."""
    key = LicenceKey(args.customer, args.sku)
    try:
        lifted = ResumeTopUps(uow, publisher())(key, args.by)
    except NotPaused:
        print(f"{key.doc_id}: automatic top-ups are not paused; nothing changed.", file=out)
        return 1
    print(f"{key.doc_id}: automatic top-ups resumed (paused because {lifted.reason}).", file=out)
    print(
        f"Evaluated now: a top-up now due is published to {args.prefix}-topup-requests.",
        file=out,
    )
    return 0


def _limit(
    args: argparse.Namespace, uow: UnitOfWork, _publisher: Callable[[], Publisher], out: TextIO
) -> int:
    errors = limit_problems(args.seats, args.monthly_pounds)
    if errors:
        for field, message in errors.items():
            option = "--seats" if field == "maxSeatsPerRequest" else "--monthly-pounds"
            print(f"{option}: {message}", file=out)
        return 2
    if args.seats is None and args.monthly_pounds is None:
        limit = spending_limit(uow, args.customer)
    else:
        limit = set_spending_limit(
            uow,
            args.customer,
            seats_per_request=args.seats,
            monthly_cost_minor=None if args.monthly_pounds is None else args.monthly_pounds * 100,
            by=args.by,
            at=datetime.now(UTC),
        )
    since = (
        f"set by {limit.updated_by} at {limit.updated_at:%Y-%m-%d %H:%M} UTC"
        if limit.updated_at
        else "the defaults"
    )
    print(
        f"{limit.customer_id}: at most {limit.max_seats_per_request} seats per request and "
        f"{pounds(limit.max_monthly_cost_minor)} a month without approval ({since}).",
        file=out,
    )
    return 0

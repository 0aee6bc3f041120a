"""`licence-manager export month-end ...`: the month-end additions report as one CSV file, for
account managers and ops. The same month gives the same bytes, however often it runs.
`licence-manager export savings ...`: the savings counted in a month (issue 13), a row each.

    licence-manager export month-end --month 2026-10 --all --out additions-2026-10.csv
    licence-manager export month-end --month 2026-10 --customer C01abc23 --out -
    licence-manager export savings --month 2026-12 --all --out savings-2026-12.csv

It reads Firestore in $GOOGLE_CLOUD_PROJECT (or the emulator in $FIRESTORE_EMULATOR_HOST)."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TextIO

from licence_manager.domain.month_end import CSV_COLUMNS, parse_month
from licence_manager.ports import LicenceStore
from licence_manager.ports.savings import SavingsStore
from licence_manager.services.reports import Reports

# The savings export's stores: where savings are read, and the customers "--all" means.
SavingsClients = tuple[SavingsStore, LicenceStore]


class HasReports(Protocol):
    @property
    def reports(self) -> Callable[[], tuple[Reports, LicenceStore]]: ...


class HasSavings(Protocol):
    @property
    def savings(self) -> Callable[[], SavingsClients]: ...


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="export reports to CSV",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = export.add_subparsers(dest="kind", required=True, metavar="REPORT")
    month_end = kinds.add_parser("month-end", help="seat additions of one month, for invoicing")
    month_end.add_argument("--month", required=True, help="YYYY-MM")
    who = month_end.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", action="append", help="a customer id (repeatable)")
    who.add_argument("--all", action="store_true", help="every customer")
    month_end.add_argument("--out", default="-", help="file to write, or - for standard output")
    month_end.add_argument("--quiet", action="store_true", help="no progress bar")
    month_end.set_defaults(run=run_month_end)
    savings = kinds.add_parser("savings", help="savings counted in one month, a row each")
    savings.add_argument("--month", required=True, help="YYYY-MM (each customer's own clock)")
    whose = savings.add_mutually_exclusive_group(required=True)
    whose.add_argument("--customer", action="append", help="a customer id (repeatable)")
    whose.add_argument("--all", action="store_true", help="every customer")
    savings.add_argument("--out", default="-", help="file to write, or - for standard output")
    savings.set_defaults(run=run_savings)


def run_savings(args: argparse.Namespace, clients: HasSavings, out: TextIO) -> int:
    from licence_manager.domain.savings_csv import savings_csv

    try:
        month = parse_month(args.month).strftime("%Y-%m")
    except ValueError as error:
        print(f"licence-manager: {error}", file=sys.stderr)
        return 2
    store, licences = clients.savings()
    customers = sorted(c.customer_id for c in licences.customers()) if args.all else args.customer
    lines = [line for c in customers for line in store.savings_in_month(c, month)]
    text = savings_csv(lines)
    if args.out == "-":
        out.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(lines)} savings of {month} to {args.out}", file=sys.stderr)
    return 0


def run_month_end(args: argparse.Namespace, clients: HasReports, out: TextIO) -> int:
    try:
        month = parse_month(args.month)
    except ValueError as error:
        print(f"licence-manager: {error}", file=sys.stderr)
        return 2
    reports, licences = clients.reports()
    customers = sorted(c.customer_id for c in licences.customers()) if args.all else args.customer
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    missing = []
    for done, customer_id in enumerate(customers, start=1):
        found = reports.month_additions(customer_id, month)
        if found is None:
            missing.append(customer_id)
        else:
            writer.writerows(row.as_csv() for row in found.rows)
        if not args.quiet:
            _progress(done, len(customers))
    if missing:
        print(f"licence-manager: no such customer: {', '.join(missing)}", file=sys.stderr)
        return 1
    text = buffer.getvalue()
    if args.out == "-":
        out.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(
            f"wrote {text.count(chr(10)) - 1} additions for {len(customers)} customers "
            f"to {args.out}",
            file=sys.stderr,
        )
    return 0


def _progress(done: int, total: int, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    print(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} customers",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def default_savings() -> SavingsClients:
    from licence_manager import bootstrap

    store = bootstrap.store()
    return store, store


def default_reports() -> tuple[Reports, LicenceStore]:
    from licence_manager import bootstrap

    return bootstrap.reports(), bootstrap.store()

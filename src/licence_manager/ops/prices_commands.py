"""`licence-manager prices ...`: the reseller's price list, for reseller ops.

    licence-manager prices list [--customer ID]
    licence-manager prices set --sku 1010020028 --plan FLEXIBLE --currency GBP --minor 1416
    licence-manager prices remove --sku 1010020028 --plan FLEXIBLE
    licence-manager prices discount --customer C0123abcd --percent 12.5 | --clear

Prices are per seat per month in the currency's minor unit (pence), excluding VAT. Every
change is recorded in `price_changes` with who made it (--by). They write the deployment's
Firestore (--project, default $GOOGLE_CLOUD_PROJECT; --database; your own credentials)."""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, TextIO

from licence_manager.domain.catalogue import PLANS
from licence_manager.domain.price_input import PriceError
from licence_manager.domain.prices import describe_discount, money
from licence_manager.ports.prices import PriceList
from licence_manager.services import prices as price_service

OPTIONS = {
    "skuId": "--sku",
    "planName": "--plan",
    "currency": "--currency",
    "perSeatMonthlyMinor": "--minor",
    "skuName": "--name",
    "percent": "--percent",
}


class HasPriceList(Protocol):
    @property
    def price_list(self) -> Callable[[str, str], PriceList]:
        """(project, database) → the deployment's price list."""
        ...


def default_price_list(project: str, database: str) -> PriceList:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_prices import FirestorePriceList

    return FirestorePriceList(firestore.Client(project=project, database=database))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "prices",
        help="list or change the reseller's price list and customer discounts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = _add(actions, "list", "every price, and the discounts", _list)
    listing.add_argument("--customer", help="also show this customer's prices after discount")
    setting = _add(actions, "set", "create or replace the price of a SKU on a plan", _set)
    setting.add_argument("--sku", required=True, help="the SKU id, e.g. 1010020028")
    setting.add_argument("--plan", required=True, choices=list(PLANS))
    setting.add_argument("--currency", required=True, help="ISO 4217, e.g. GBP")
    setting.add_argument(
        "--minor", required=True, type=int, help="per seat per month in minor units (pence)"
    )
    setting.add_argument("--name", help="the SKU's name (only for a SKU not in the catalogue)")
    removing = _add(actions, "remove", "remove a price (it then shows 'No price set')", _remove)
    removing.add_argument("--sku", required=True)
    removing.add_argument("--plan", required=True, choices=list(PLANS))
    discount = _add(actions, "discount", "set or clear a customer's discount", _discount)
    discount.add_argument("--customer", required=True, help="the customer id")
    how = discount.add_mutually_exclusive_group(required=True)
    how.add_argument("--percent", help="percent off every list price, e.g. 12.5")
    how.add_argument("--clear", action="store_true", help="back to list prices")
    parser.set_defaults(run=run)


Handler = Callable[[argparse.Namespace, PriceList, TextIO], int]


def _add(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Handler,
) -> argparse.ArgumentParser:
    action = actions.add_parser(name, help=help_text, description=help_text)
    action.add_argument("--project", default=os.environ.get("GOOGLE_CLOUD_PROJECT"))
    action.add_argument(
        "--database",
        default=os.environ.get("FIRESTORE_DATABASE", "(default)"),
        help="Firestore database (default: $FIRESTORE_DATABASE, then (default))",
    )
    action.add_argument(
        "--by", default=f"ops-cli:{getpass.getuser()}", help="who to record as making the change"
    )
    action.set_defaults(prices=handler)
    return action


def run(args: argparse.Namespace, clients: HasPriceList, out: TextIO) -> int:
    if not args.project:
        print("licence-manager prices: --project required", file=out)
        return 2
    handle: Handler = args.prices
    try:
        return handle(args, clients.price_list(args.project, args.database), out)
    except PriceError as error:
        for field, message in error.problems.items():
            print(f"{OPTIONS.get(field, field)}: {message}", file=out)
        return 2


def _list(args: argparse.Namespace, prices: PriceList, out: TextIO) -> int:
    price_of = prices.price_lookup(args.customer)
    rows = [("SKU", "NAME", "PLAN", "PRICE A SEAT A MONTH (EX VAT)", "UPDATED")]
    for price in prices.prices():
        mine = price_of(price.sku_id, price.plan_name) if args.customer else price
        figure = money(price.per_seat_monthly_minor, price.currency)
        if mine is not None and mine != price:
            figure += f" ({money(mine.per_seat_monthly_minor, mine.currency)} for {args.customer})"
        when = f"{price.updated_at:%Y-%m-%d} {price.updated_by}" if price.updated_at else ""
        rows.append((price.sku_id, price.sku_name, price.plan_name, figure, when))
    if len(rows) == 1:
        print("No prices are set: every figure shows 'No price set'.", file=out)
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out
            )
    for discount in prices.discounts():
        print(f"discount: {discount.customer_id} {describe_discount(discount)}", file=out)
    return 0


def _set(args: argparse.Namespace, prices: PriceList, out: TextIO) -> int:
    price = price_service.set_price(
        prices,
        sku_id=args.sku,
        plan_name=args.plan,
        currency=args.currency,
        per_seat_minor=args.minor,
        sku_name=args.name,
        by=args.by,
        at=datetime.now(UTC),
    )
    figure = money(price.per_seat_monthly_minor, price.currency)
    print(f"{price.sku_name} on {price.plan_name}: {figure} a seat a month, ex VAT.", file=out)
    return 0


def _remove(args: argparse.Namespace, prices: PriceList, out: TextIO) -> int:
    if not price_service.remove_price(
        prices, args.sku, args.plan, by=args.by, at=datetime.now(UTC)
    ):
        print(f"No price is set for {args.sku} on {args.plan}.", file=out)
        return 1
    print(f"Removed: {args.sku} on {args.plan} now shows 'No price set'.", file=out)
    return 0


def _discount(args: argparse.Namespace, prices: PriceList, out: TextIO) -> int:
    percent = None if args.clear else args.percent
    found = price_service.set_discount(
        prices, args.customer, percent, by=args.by, at=datetime.now(UTC)
    )
    print(f"{args.customer}: {describe_discount(found)} every list price.", file=out)
    return 0

"""Provisioning dashboard users: who may sign in, with which role, for which customers.

    python -m licence_manager.ops.users list
    python -m licence_manager.ops.users add alex@acme.example --role customer_admin \\
        --customer C0123abcd --name "Alex Morgan"
    python -m licence_manager.ops.users add morgan@reseller.example --role account_manager \\
        --customer C0123abcd --customer C0456efgh
    python -m licence_manager.ops.users add ops@reseller.example --role reseller_ops
    python -m licence_manager.ops.users disable alex@acme.example
    python -m licence_manager.ops.users remove alex@acme.example

It writes the `users` collection of the deployment's Firestore (GOOGLE_CLOUD_PROJECT,
FIRESTORE_DATABASE; your own credentials, e.g. `gcloud auth application-default login` as
someone with roles/datastore.user). A user signs in with the Google account of that address;
adding them here is what lets them in.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from licence_manager.domain.users import ROLE_LABELS, Role, User, UserError, checked
from licence_manager.ports.dashboard import DashboardStore


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m licence_manager.ops.users", description=__doc__.split("\n\n")[0]
    )
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every provisioned user")
    add = actions.add_parser("add", help="add or replace a user")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--customer", action="append", default=[], help="a customer id (repeat)")
    add.add_argument("--name", default="")
    for name in ("disable", "remove"):
        actions.add_parser(name).add_argument("email")
    return parser


def run(argv: list[str], store: DashboardStore, out: TextIO = sys.stdout) -> int:
    args = build_parser().parse_args(argv)
    if args.action == "list":
        for user in store.users():
            customers = ", ".join(sorted(user.customer_ids)) or "every customer"
            state = " (disabled)" if user.disabled else ""
            out.write(f"{user.email}\t{ROLE_LABELS[user.role]}\t{customers}{state}\n")
        return 0
    if args.action == "add":
        try:
            user = checked(User(args.email, args.name, Role(args.role), frozenset(args.customer)))
        except UserError as error:
            out.write(f"not added: {error}\n")
            return 2
        store.save_user(user)
        out.write(f"added {user.email} as {ROLE_LABELS[user.role]}\n")
        return 0
    found = store.user(args.email)
    if found is None:
        out.write(f"no user {args.email}\n")
        return 1
    if args.action == "disable":
        store.save_user(User(found.email, found.name, found.role, found.customer_ids, True))
        out.write(f"disabled {found.email}\n")
    else:
        store.remove_user(found.email)
        out.write(f"removed {found.email}\n")
    return 0


def main(argv: list[str] | None = None, store: Callable[[], DashboardStore] | None = None) -> int:
    from licence_manager import bootstrap

    return run(sys.argv[1:] if argv is None else argv, (store or bootstrap.store)())


if __name__ == "__main__":
    sys.exit(main())

"""`licence-manager users ...`: who may sign in to the dashboard, with which role, for which
customers. Every change is kept with who made it (`history`).

    licence-manager users list
    licence-manager users add alex@acme.example --role customer_admin --customer C0123abcd \\
        --name "Alex Morgan"
    licence-manager users add morgan@reseller.example --role account_manager \\
        --customer C0123abcd --customer C0456efgh
    licence-manager users add ops@reseller.example --role reseller_ops
    licence-manager users set-role morgan@reseller.example --role reseller_ops
    licence-manager users disable alex@acme.example      (enable: let them in again)
    licence-manager users remove alex@acme.example
    licence-manager users history

Roles: customer_admin (reads and changes exactly one customer), account_manager (reads and
exports the customers given), reseller_ops (reads and changes every customer; no --customer).
A customer is Google's customer id of a customer the usage sync has seen.

It writes the `users` and `user_changes` collections of the deployment's Firestore (--project,
--database: default $GOOGLE_CLOUD_PROJECT and $FIRESTORE_DATABASE; your own credentials, e.g.
`gcloud auth application-default login` as someone with roles/datastore.user). A user signs in
with the Google account of that address; adding them here is what lets them in. Against `make
run`, export the variables it prints and use the demo project.
(`python -m licence_manager.ops.users ...` is the same command, kept for old scripts.)"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, TextIO

from licence_manager.domain.user_changes import UserNotFound, access
from licence_manager.domain.users import Role, User, UserError
from licence_manager.ports.user_admin import UserAdmin
from licence_manager.services import user_access

Action = Callable[[argparse.Namespace, UserAdmin, TextIO], str]


class HasUserAdmin(Protocol):
    """What `run` needs from licence_manager.cli.Clients."""

    @property
    def user_admin(self) -> Callable[[str, str], UserAdmin]:
        """(project, database) → the deployment's users."""
        ...


def default_user_admin(project: str, database: str) -> UserAdmin:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_user_admin import FirestoreUserAdmin

    return FirestoreUserAdmin(firestore.Client(project=project, database=database))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser(
        "users",
        help="list, add, change or remove who may use the dashboard",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _where(users, suppress=False)
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    _action(actions, "list", "every provisioned user", _list)
    add = _action(actions, "add", "let a new user in, with a role", _add)
    add.add_argument("email")
    _role(add, required=True)
    add.add_argument("--name", default="", help="their name, as the dashboard greets them")
    set_role = _action(actions, "set-role", "change a user's role or customers", _set_role)
    set_role.add_argument("email")
    _role(set_role, required=True)
    for name, help_text, handler in (
        ("disable", "keep a user out, keeping their record", _disable),
        ("enable", "let a disabled user in again", _enable),
        ("remove", "remove a user", _remove),
    ):
        _action(actions, name, help_text, handler).add_argument("email")
    history = _action(actions, "history", "who changed which user, newest first", _history)
    history.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    users.set_defaults(run=run)


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Action,
) -> argparse.ArgumentParser:
    action = actions.add_parser(name, help=help_text, description=help_text)
    _where(action, suppress=True)
    action.add_argument(
        "--by",
        default=f"ops-cli:{getpass.getuser()}",
        help="who to record as having made the change (default: ops-cli:<your login>)",
    )
    action.set_defaults(handler=handler)
    return action


def _where(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Accepted before and after the action, as `licence-manager ops` accepts them.
    def default(value: str | None) -> str | None:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--project", default=default(os.environ.get("GOOGLE_CLOUD_PROJECT")), help="project id"
    )
    parser.add_argument(
        "--database",
        default=default(os.environ.get("FIRESTORE_DATABASE", "(default)")),
        help="Firestore database (default: $FIRESTORE_DATABASE, then (default))",
    )


def _role(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--role", required=required, choices=[r.value for r in Role])
    parser.add_argument(
        "--customer",
        action="append",
        dest="customers",
        metavar="CUSTOMER_ID",
        help="a customer they act for (repeat for several)",
    )


def run(args: argparse.Namespace, clients: HasUserAdmin, out: TextIO) -> int:
    if not getattr(args, "project", None):
        print(
            "licence-manager users: --project (or $GOOGLE_CLOUD_PROJECT) required",
            file=sys.stderr,
        )
        return 2
    handler: Action = args.handler
    try:
        said = handler(args, clients.user_admin(args.project, args.database), out)
    except UserNotFound as error:
        print(f"licence-manager users {args.action}: {error}", file=sys.stderr)
        return 1
    except UserError as error:
        print(f"licence-manager users {args.action}: {error}", file=sys.stderr)
        return 2
    if said:
        print(said, file=out)
    return 0


def _now() -> datetime:
    return datetime.now(UTC)


def _customers(args: argparse.Namespace) -> frozenset[str] | None:
    return None if args.customers is None else frozenset(c.strip() for c in args.customers)


def _list(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    for user in admin.users():
        state = "  (disabled)" if user.disabled else ""
        name = f" ({user.name})" if user.name else ""
        print(f"{user.email}{name}\t{access(user)}{state}", file=out)
    return ""


def _add(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    user = User(args.email, args.name, Role(args.role), _customers(args) or frozenset())
    return user_access.add_user(admin, user, args.by, _now()).describe()


def _set_role(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    change = user_access.set_role(
        admin, args.email, Role(args.role), _customers(args), args.by, _now()
    )
    return change.describe()


def _disable(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    return user_access.set_disabled(admin, args.email, True, args.by, _now()).describe()


def _enable(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    return user_access.set_disabled(admin, args.email, False, args.by, _now()).describe()


def _remove(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    return user_access.remove_user(admin, args.email, args.by, _now()).describe()


def _history(args: argparse.Namespace, admin: UserAdmin, out: TextIO) -> str:
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    for change in admin.changes(args.limit):
        print(f"{change.at:%Y-%m-%d %H:%M:%S} UTC  {change.describe()}", file=out)
    return ""


def main(argv: list[str] | None = None) -> int:
    """The old entry, `python -m licence_manager.ops.users ...`: the same as `licence-manager
    users ...`."""
    from licence_manager.cli import main as cli_main

    return cli_main(["users", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())

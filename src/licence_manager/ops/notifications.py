"""`licence-manager ops` commands for Google's Reseller notifications (resellernotify):

    licence-manager ops register-notifications --service-account SA
    licence-manager ops unregister-notifications --service-account SA
    licence-manager ops notification-details

`register` makes Google create (or reuse) the reseller's notification topic, which lives in a
Google-owned project, and authorises SA to subscribe to it; it prints the topic name, which is
Terraform's `reseller_events_topic`. Only authorised service accounts may create a subscription
on that topic, so register the one Terraform runs as. The calls go through the Reseller API with
the deployment's delegated credentials (RESELLER_ADMIN_SUBJECT, RESELLER_SERVICE_ACCOUNT; scope
apps.order), or to RESELLER_API_ENDPOINT (the local simulator) with none."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

Handler = Callable[[argparse.Namespace, Any, TextIO], int]


def default_reseller() -> Any:
    """The Reseller API client, built as the functions build it (from the environment)."""
    from licence_manager.adapters.reseller_client import build_reseller_service
    from licence_manager.config import Settings

    return build_reseller_service(Settings.from_env())


def register_notifications(service: Any, service_account: str) -> str:
    """resellernotify.register; the topic name Google answers."""
    body = service.resellernotify().register(serviceAccountEmailAddress=service_account).execute()
    return str(body["topicName"])


def unregister_notifications(service: Any, service_account: str) -> str:
    body = service.resellernotify().unregister(serviceAccountEmailAddress=service_account).execute()
    return str(body.get("topicName", ""))


def notification_details(service: Any) -> tuple[str, list[str]]:
    body = service.resellernotify().getwatchdetails().execute()
    return str(body.get("topicName", "")), list(body.get("serviceAccountEmailAddresses", []))


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, help_text, handler in (
        (
            "register-notifications",
            "register a service account for Google's Reseller notifications; prints the topic",
            _register,
        ),
        (
            "unregister-notifications",
            "remove a service account from the Reseller notifications",
            _unregister,
        ),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--service-account",
            required=True,
            help="the service account allowed to subscribe (the one Terraform runs as)",
        )
        action.set_defaults(notify=handler)
    details = actions.add_parser(
        "notification-details",
        help="show the notification topic and the registered service accounts",
    )
    details.set_defaults(notify=_details)


def _register(args: argparse.Namespace, service: Any, out: TextIO) -> int:
    topic = register_notifications(service, args.service_account)
    print(topic, file=out)
    print(
        f'Registered {args.service_account}. Set reseller_events_topic = "{topic}" in '
        "terraform.tfvars and apply as that service account.",
        file=sys.stderr,
    )
    return 0


def _unregister(args: argparse.Namespace, service: Any, out: TextIO) -> int:
    topic = unregister_notifications(service, args.service_account)
    print(f"{args.service_account} unregistered from {topic}", file=out)
    return 0


def _details(args: argparse.Namespace, service: Any, out: TextIO) -> int:
    topic, accounts = notification_details(service)
    print(f"topic: {topic or '-'}", file=out)
    for account in accounts:
        print(f"  {account}", file=out)
    return 0

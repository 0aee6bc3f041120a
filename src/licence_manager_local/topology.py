"""The Pub/Sub topics and subscriptions of the system, as Terraform declares them, created on the
Pub/Sub emulator so that `make run` delivers events the way production does."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

SYNC_TOPIC = "sync-usage"
MAX_DELIVERY_ATTEMPTS = 5


@dataclass(frozen=True)
class PushRoute:
    """A topic pushed to one function, with a dead-letter topic after bounded attempts."""

    topic: str
    function: str

    @property
    def subscription(self) -> str:
        return f"{self.topic}-to-{self.function}"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic}-dead-letter"

    @property
    def dead_letter_subscription(self) -> str:
        # A pull subscription nobody consumes: people read it to see what failed for good.
        return f"{self.dead_letter_topic}-inspect"


TOPUP_TOPIC = "topup-requests"
ALERT_TOPIC = "alerts"
MONTH_END_TOPIC = "month-end-report"  # the month-end planner: one page of customers
MONTH_END_CUSTOMER_TOPIC = "month-end-customer"  # one customer's month-end
SWEEP_TOPIC = "sweep-requests"  # Cloud Scheduler → sweep_requests (stalled seat-change requests)
HOLDER_SYNC_TOPIC = "sync-holders"  # the holder sync's planner: one page of customers
HOLDER_SYNC_CUSTOMER_TOPIC = "sync-holders-customer"  # one customer's seat holders
AUDIT_VERIFY_TOPIC = "verify-audit"  # the audit check's planner: one page of customers
AUDIT_VERIFY_CUSTOMER_TOPIC = "verify-audit-customer"  # one customer's chains verified
ROUTES = (
    PushRoute(SYNC_TOPIC, "sync_usage"),
    PushRoute(TOPUP_TOPIC, "apply_topup"),
    PushRoute(ALERT_TOPIC, "send_alerts"),
    PushRoute(MONTH_END_TOPIC, "send_alerts"),
    PushRoute(MONTH_END_CUSTOMER_TOPIC, "send_alerts"),
    PushRoute(SWEEP_TOPIC, "sweep_requests"),
    PushRoute(HOLDER_SYNC_TOPIC, "sync_holders"),
    PushRoute(HOLDER_SYNC_CUSTOMER_TOPIC, "sync_holders"),
    PushRoute(AUDIT_VERIFY_TOPIC, "verify_audit"),
    PushRoute(AUDIT_VERIFY_CUSTOMER_TOPIC, "verify_audit"),
)
# Firestore collections whose changes Eventarc delivers to evaluate_thresholds.
WATCHED_COLLECTIONS = ("licences", "licence_settings")


def push_endpoint(function_url: str, project: str, topic: str) -> str:
    # functions-framework turns a push into a CloudEvent whose source comes from this path.
    return f"{function_url.rstrip('/')}/projects/{project}/topics/{topic}"


def create_routes(
    project: str, function_urls: dict[str, str], pulled: Collection[str] = ()
) -> None:
    """Topics and subscriptions as Terraform declares them. The routes to a function named in
    `pulled` get a pull subscription (same policies) that a local push stand-in delivers."""
    # Imported here: `licence-manager ops dead-letters` reads ROUTES without loading Google's
    # libraries until it calls them.
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    for route in ROUTES:
        for topic in (route.topic, route.dead_letter_topic):
            with contextlib.suppress(AlreadyExists):
                publisher.create_topic(name=publisher.topic_path(project, topic))
        _create_subscription(
            subscriber,
            {
                "name": subscriber.subscription_path(project, route.dead_letter_subscription),
                "topic": publisher.topic_path(project, route.dead_letter_topic),
            },
        )
        _create_subscription(
            subscriber,
            {
                "name": subscriber.subscription_path(project, route.subscription),
                "topic": publisher.topic_path(project, route.topic),
                "ack_deadline_seconds": 600,
                **(
                    {}
                    if route.function in pulled
                    else {
                        "push_config": {
                            "push_endpoint": push_endpoint(
                                function_urls[route.function], project, route.topic
                            )
                        }
                    }
                ),
                "dead_letter_policy": {
                    "dead_letter_topic": publisher.topic_path(project, route.dead_letter_topic),
                    "max_delivery_attempts": MAX_DELIVERY_ATTEMPTS,
                },
                "retry_policy": {
                    "minimum_backoff": {"seconds": 10},
                    "maximum_backoff": {"seconds": 600},
                },
            },
        )


def _create_subscription(subscriber: Any, request: dict[str, object]) -> None:
    from google.api_core.exceptions import AlreadyExists

    with contextlib.suppress(AlreadyExists):
        subscriber.create_subscription(request=request)


# Google's Reseller notifications: the topic is Google's (resellernotify.register names it, in
# a Google-owned project); the subscription, its dead-letter topic and its inspect subscription
# are ours, as infra/terraform/reseller-events.tf creates them.
RESELLER_EVENTS_FUNCTION = "react_to_reseller_events"
RESELLER_EVENTS = PushRoute("reseller-events", RESELLER_EVENTS_FUNCTION)


def create_reseller_events_route(
    project: str, external_topic: str, function_url: str | None, pulled: bool = False
) -> None:
    """The subscription on Google's topic (`projects/partner-watch/topics/...`; the emulator
    holds topics of any project, and the simulator creates it), pushing to the function, or a
    pull subscription for a local push stand-in when `pulled`."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    route = RESELLER_EVENTS
    for topic in (external_topic, publisher.topic_path(project, route.dead_letter_topic)):
        with contextlib.suppress(AlreadyExists):
            publisher.create_topic(name=topic)
    dead_letter = publisher.topic_path(project, route.dead_letter_topic)
    _create_subscription(
        subscriber,
        {
            "name": subscriber.subscription_path(project, route.dead_letter_subscription),
            "topic": dead_letter,
        },
    )
    push = (
        {}
        if pulled or function_url is None
        else {"push_config": {"push_endpoint": f"{function_url.rstrip('/')}/{external_topic}"}}
    )
    _create_subscription(
        subscriber,
        {
            "name": subscriber.subscription_path(project, route.subscription),
            "topic": external_topic,
            "ack_deadline_seconds": 600,
            **push,
            "dead_letter_policy": {
                "dead_letter_topic": dead_letter,
                "max_delivery_attempts": MAX_DELIVERY_ATTEMPTS,
            },
            "retry_policy": {
                "minimum_backoff": {"seconds": 10},
                "maximum_backoff": {"seconds": 600},
            },
        },
    )

"""`make run`'s event path: the simulator publishes Google's Reseller notifications to a topic
of "Google's" project on the Pub/Sub emulator; our subscription on it is pulled by a push
stand-in (pubsub_push.py) that POSTs each message to react_to_reseller_events as many at once
as Cloud Run may run it, as production's push subscription (reseller-events.tf) delivers them.
The registration goes through the ops command's code, as ops do it against Google."""

from __future__ import annotations

from collections.abc import Callable

from licence_manager.ops.notifications import register_notifications
from licence_manager_local import topology
from licence_manager_local.pubsub_push import PushStandIn

# The account `make run` registers, standing in for the one Terraform runs as.
LOCAL_SERVICE_ACCOUNT = "licence-manager-local@licence-manager-local.iam.gserviceaccount.com"


def wire_reseller_events(
    project: str, simulator_url: str, function_url: str, parallel: int
) -> tuple[str, Callable[[], None]]:
    """Subscribe the function to the simulator's notification topic, then register (so no
    event published after registration is missed). Returns the topic and how to stop."""
    from licence_manager_local.simulator import reseller_service
    from licence_manager_local.simulator.notifications import DEFAULT_TOPIC

    topology.create_reseller_events_route(project, DEFAULT_TOPIC, function_url, pulled=True)
    route = topology.RESELLER_EVENTS
    stand_in = PushStandIn(
        f"projects/{project}/subscriptions/{route.subscription}",
        f"{function_url.rstrip('/')}/{DEFAULT_TOPIC}",
        parallel,
    ).start()
    topic = register_notifications(reseller_service(simulator_url), LOCAL_SERVICE_ACCOUNT)
    if topic != DEFAULT_TOPIC:
        stand_in.stop()
        raise RuntimeError(f"the simulator registered topic {topic}, expected {DEFAULT_TOPIC}")
    return topic, stand_in.stop

"""send_alerts: a notification id arrives on Pub/Sub; email it to the recipients who want it.
It also runs the month-end job: a page of the plan, or one customer's report."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import send_notification_message


@functions_framework.cloud_event
def send_alerts(event: CloudEvent) -> None:
    """Deliver the notification through SendGrid, once (or a month-end step, idempotent)."""
    send_notification_message(event.get_data())

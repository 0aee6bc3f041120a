"""send_alerts: a notification id arrives on Pub/Sub; email it to the recipients who want it."""

import functions_framework
from cloudevents.http.event import CloudEvent

from licence_manager.entrypoints import send_notification_message


@functions_framework.cloud_event
def send_alerts(event: CloudEvent) -> None:
    """Deliver the notification through SendGrid, once."""
    send_notification_message(event.get_data())

"""The ports the services talk through. Real adapters and in-memory fakes both implement them,
and contract tests run against each so the fakes cannot lie."""

from licence_manager.ports.automation import AutomationStore, SeatChanger
from licence_manager.ports.messaging import (
    Attachment,
    Email,
    MailDeferred,
    Mailer,
    MailInDoubt,
    MailRejected,
    NotificationStore,
    Publisher,
)
from licence_manager.ports.usage import (
    AccessDenied,
    CustomerProfile,
    HeartbeatRead,
    LicenceStore,
    ShardBusy,
    SourceError,
    SubscriptionListing,
    SubscriptionSource,
    SyncRunRecord,
)


class Store(LicenceStore, AutomationStore, NotificationStore):
    """All three stores over one database: transactions may span them."""


__all__ = [
    "AccessDenied",
    "Attachment",
    "AutomationStore",
    "CustomerProfile",
    "Email",
    "HeartbeatRead",
    "LicenceStore",
    "MailDeferred",
    "MailInDoubt",
    "MailRejected",
    "Mailer",
    "NotificationStore",
    "Publisher",
    "SeatChanger",
    "ShardBusy",
    "SourceError",
    "Store",
    "SubscriptionListing",
    "SubscriptionSource",
    "SyncRunRecord",
]

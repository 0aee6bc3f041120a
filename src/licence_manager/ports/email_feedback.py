"""Addresses whose email bounced (from SendGrid's Event Webhook), flagged per recipient on the
Notifications page until a later email to them is delivered."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Bounce:
    customer_id: str
    email: str
    event: str  # bounce, dropped, spamreport, blocked
    at: datetime
    reason: str = ""
    notification_id: str = ""


class BounceStore(abc.ABC):
    @abc.abstractmethod
    def bouncing(self, customer_id: str) -> dict[str, Bounce]:
        """The customer's flagged addresses, by address."""

    @abc.abstractmethod
    def record(self, bounce: Bounce) -> None:
        """Flag the address (a newer problem replaces an older one)."""

    @abc.abstractmethod
    def delivered(self, customer_id: str, email: str, at: datetime) -> None:
        """An email to the address was delivered at `at`: lift a flag older than that (a late
        event about an earlier email leaves a newer bounce standing)."""

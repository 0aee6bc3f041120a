"""Renewal fields on their way in and out: the Reseller API's JSON (adapters.reseller), the
licence document (adapters.firestore_codec), the digest's fingerprint, and the recipients'
renewalReminder preference (adapters.automation_codec). Pure: no emulator, no client."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from licence_manager.adapters.automation_codec import (
    PREFERENCE_FIELDS,
    recipient_from_doc,
    recipient_to_doc,
)
from licence_manager.adapters.firestore_codec import licence_from_doc, licence_to_doc
from licence_manager.adapters.reseller import subscription_from_api
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.notifications import PREFERENCES, NotificationType, Recipient
from licence_manager.domain.usage_digest import fingerprint
from tests.builders import T0

ENDS_MS = "1803888000000"  # 2027-03-01T08:00:00Z: midnight Pacific time
ENDS = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def item(plan: str = "ANNUAL_YEARLY_PAY", **extra: Any) -> dict[str, Any]:
    """A subscriptions.list item shaped as Google sends it (int64 values as strings)."""
    body: dict[str, Any] = {
        "kind": "reseller#subscription",
        "customerId": "C01",
        "customerDomain": "acme.example",
        "skuId": "1010020028",
        "skuName": "Google Workspace Business Standard",
        "subscriptionId": "s1",
        "status": "ACTIVE",
        "billingMethod": "ONLINE",
        "plan": {
            "planName": plan,
            "isCommitmentPlan": plan.startswith("ANNUAL"),
            "commitmentInterval": {"startTime": "1772438400000", "endTime": ENDS_MS},
        },
        "seats": {"kind": "subscriptions#seats", "numberOfSeats": 50, "licensedNumberOfSeats": 45},
        "renewalSettings": {
            "kind": "subscriptions#renewalSettings",
            "renewalType": "AUTO_RENEW_YEARLY_PAY",
        },
    }
    body.update(extra)
    return body


def test_an_annual_subscription_brings_its_renewal_type_and_term_end() -> None:
    sub = subscription_from_api(item())
    assert (sub.renewal_type, sub.commitment_ends_at) == ("AUTO_RENEW_YEARLY_PAY", ENDS)
    assert sub.commitment_ends_at is not None and sub.commitment_ends_at.tzinfo is UTC
    monthly = subscription_from_api(item("ANNUAL"))  # ANNUAL_MONTHLY_PAY as Google returns it
    assert monthly.commitment_ends_at == ENDS
    exact = item()
    exact["plan"]["commitmentInterval"]["endTime"] = "1803888000123"
    assert subscription_from_api(exact).commitment_ends_at == ENDS.replace(microsecond=123000)


def test_an_unknown_renewal_type_is_kept_as_google_sent_it() -> None:
    odd = item(renewalSettings={"renewalType": "RENEW_BY_MAGIC_2029"})
    assert subscription_from_api(odd).renewal_type == "RENEW_BY_MAGIC_2029"


def test_renewal_fields_are_left_empty_where_they_mean_nothing_or_are_missing() -> None:
    # Google's own sample shows "AUTO_RENEW" on a FLEXIBLE plan: not a renewal to plan for.
    flexible = item("FLEXIBLE", renewalSettings={"renewalType": "AUTO_RENEW"})
    flexible["seats"] = {"maximumNumberOfSeats": 50, "licensedNumberOfSeats": 45}
    sub = subscription_from_api(flexible)
    assert (sub.renewal_type, sub.commitment_ends_at) == ("", None)
    # Offline billing omits the interval; an annual plan may come without renewal settings.
    bare = item()
    del bare["renewalSettings"]
    del bare["plan"]["commitmentInterval"]
    sub = subscription_from_api(bare)
    assert (sub.renewal_type, sub.commitment_ends_at) == ("", None)
    garbled = item()
    garbled["plan"]["commitmentInterval"]["endTime"] = "soon"
    assert subscription_from_api(garbled).commitment_ends_at is None


def licence(renewal_type: str = "AUTO_RENEW_YEARLY_PAY", ends: datetime | None = ENDS) -> Licence:
    usage = Usage(
        "Business Standard", "ANNUAL_YEARLY_PAY", "s1", "ACTIVE", 50, 45, renewal_type, ends
    )
    return Licence(LicenceKey("C01", "1010020028"), "acme.example", usage, "Europe/London", T0)


def test_the_licence_document_round_trips_its_renewal_fields() -> None:
    doc = licence_to_doc(licence())
    assert (doc["renewalType"], doc["commitmentEndsAt"]) == ("AUTO_RENEW_YEARLY_PAY", ENDS)
    assert licence_from_doc(doc) == licence()
    none = licence_to_doc(licence("", None))
    assert (none["renewalType"], none["commitmentEndsAt"]) == ("", None)
    assert licence_from_doc(none) == licence("", None)


def test_a_licence_stored_before_renewals_were_read_reads_as_having_none() -> None:
    doc = licence_to_doc(licence("", None))
    del doc["renewalType"], doc["commitmentEndsAt"]
    assert licence_from_doc(doc) == licence("", None)


def test_a_licence_without_renewal_fields_keeps_the_fingerprint_it_had() -> None:
    """The digest entries written before renewal fields existed still match such a licence, so
    deploying them re-reads only the licences Google reports renewal settings for."""
    usage = licence("", None).usage
    before = "\x1f".join(("Business Standard", "ANNUAL_YEARLY_PAY", "s1", "ACTIVE", "50", "45"))
    assert fingerprint(usage) == hashlib.blake2b(before.encode(), digest_size=6).hexdigest()
    assert fingerprint(licence().usage) != fingerprint(usage)
    assert fingerprint(licence("CANCEL").usage) != fingerprint(licence().usage)
    later = licence(ends=ENDS.replace(year=2028))
    assert fingerprint(later.usage) != fingerprint(licence().usage)


def test_renewal_reminders_are_a_preference_on_by_default() -> None:
    assert PREFERENCE_FIELDS[NotificationType.RENEWAL_REMINDER] == "renewalReminder"
    assert NotificationType.RENEWAL_REMINDER in PREFERENCES
    admin = Recipient("C01", "admin@acme.example")
    doc = recipient_to_doc(admin)
    assert doc["renewalReminder"] is True
    assert recipient_from_doc(doc) == admin
    # A recipient stored before the type existed has no field for it: on, as for a new one.
    del doc["renewalReminder"]
    assert NotificationType.RENEWAL_REMINDER in recipient_from_doc(doc).wants
    off = recipient_to_doc(Recipient("C01", "a@acme.example", wants=frozenset()))
    assert recipient_from_doc(off).wants == frozenset()

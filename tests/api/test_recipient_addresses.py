"""Recipients are checked with SendGrid's own address rule (security review #9): an address the
API accepted but SendGrid refused used to make every email of the customer fail. One already
stored under the old, looser rule is flagged, and can still be removed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from tests.api.conftest import ACME, STANDARD, Api
from tests.builders import T0
from tests.unit.test_email_address import REFUSED_BY_SENDGRID

BASE = f"/api/v1/customers/{ACME}"


@pytest.mark.parametrize("address", REFUSED_BY_SENDGRID)
def test_an_address_sendgrid_refuses_cannot_be_added(api: Api, address: str) -> None:
    response = api.call("POST", f"{BASE}/recipients", json={"email": address})

    assert response.status_code == 422
    assert "email" in response.get_json()["errors"]
    assert address.lower() not in {r.email for r in api.store.recipients(ACME)}


def test_an_ordinary_address_is_still_added(api: Api) -> None:
    response = api.call("POST", f"{BASE}/recipients", json={"email": "Helpdesk@Acme.Example"})

    assert response.status_code == 201
    assert response.get_json()["email"] == "helpdesk@acme.example"
    assert response.get_json()["addressProblem"] is None


def test_a_stored_address_sendgrid_refuses_is_flagged_and_can_be_removed(api: Api) -> None:
    """Stored before the rule was tightened: the admin must see it and be able to fix it."""
    api.store.save_recipient(Recipient(ACME, "it@acme..example", "Old typo"))

    listed = {r["email"]: r for r in api.call("GET", f"{BASE}/recipients").get_json()}

    assert listed["it@acme..example"]["addressProblem"]
    assert listed["it@acme.example"]["addressProblem"] is None
    removed = api.call("DELETE", f"{BASE}/recipients/it@acme..example")
    assert removed.status_code == 204
    assert "it@acme..example" not in {r.email for r in api.store.recipients(ACME)}


def test_a_notification_lists_the_addresses_sendgrid_refused(api: Api) -> None:
    key = LicenceKey(ACME, STANDARD)
    api.store.notification_records["n-refused"] = Notification(
        "n-refused",
        key,
        NotificationType.LOW_LICENCES,
        T0 + timedelta(hours=1),
        status=DeliveryStatus.SENT,
        recipients=("it@acme.example",),
        refused_recipients=("it@acme..example",),
    )

    (newest, *_) = api.call("GET", f"{BASE}/notifications").get_json()["notifications"]

    assert newest["id"] == "n-refused"
    assert newest["recipients"] == ["it@acme.example"]
    assert newest["refusedRecipients"] == ["it@acme..example"]

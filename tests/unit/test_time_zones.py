"""A customer's time zone: only IANA names are accepted, each refusal says what to do, and the
audit entry names the zone before and after."""

from __future__ import annotations

import pytest

from licence_manager.domain.audit import AuditAction, Source, verify_chain
from licence_manager.domain.model import GENESIS
from licence_manager.domain.time_zones import (
    UnknownTimeZone,
    checked_time_zone,
    time_zone_changed,
)
from tests.builders import T0


@pytest.mark.parametrize(
    "name", ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC", " Pacific/Auckland "]
)
def test_iana_names_are_accepted(name: str) -> None:
    assert checked_time_zone(name) == name.strip()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Mars/Olympus_Mons", "not a time zone we know"),
        ("europe/london", "not a time zone we know"),  # IANA names are case-sensitive
        ("localtime", "not a time zone we know"),  # this server's own zone, not a place
        ("../../etc/passwd", "not a time zone we know"),
        ("Europe/" + "x" * 200, "not a time zone we know"),
        ("", "Choose a time zone"),
        (None, "Choose a time zone"),
        (42, "Choose a time zone"),
    ],
)
def test_anything_else_is_refused_with_a_sentence(name: object, says: str) -> None:
    with pytest.raises(UnknownTimeZone, match=says) as refused:
        checked_time_zone(name)
    assert len(str(refused.value)) < 200


def test_the_change_is_audited_on_the_customers_chain_with_before_and_after() -> None:
    entry = time_zone_changed(GENESIS, "C01", T0, "alex@acme.example", "Europe/London", "UTC")
    assert entry.key.customer_id == "C01" and entry.key.sku_id == "customer"
    assert (entry.action, entry.source, entry.actor) == (
        AuditAction.TIME_ZONE_CHANGED,
        Source.DASHBOARD,
        "alex@acme.example",
    )
    assert entry.message == "Time zone changed. Before: Europe/London. After: UTC."
    assert verify_chain([entry]) == []

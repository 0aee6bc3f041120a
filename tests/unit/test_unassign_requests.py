"""Asking to unassign a reclaimable add-on seat (services.unassign_requests): one request per
client key, refused per field for a seat not stored, in use or assigned automatically; and the
pure rules the outcome is made of (domain.topup.compare_unassign, domain.unassign)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from licence_manager.domain.audit import Source
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.topup import RequestKind, RequestStatus, SeatCheck, compare_unassign
from licence_manager.domain.unassign import insights_after
from licence_manager.services.unassign_requests import (
    SeatToUnassign,
    UnassignRefused,
    unassign_request_id,
)
from tests.builders import T0
from tests.unit.test_unassign_exactly_once import (
    ADMIN,
    ANN,
    BOB,
    CLIENT_KEY,
    KEY,
    OTHER_DOC,
    STARTER,
    VAULT,
    World,
    holder,
)

# the pure rule


def test_the_assignment_itself_decides_whether_to_send() -> None:
    world = World()
    request = world.store.requests[world.asked()]
    assert compare_unassign(request, holds=True) is SeatCheck.CHANGE
    assert compare_unassign(request, holds=False) is SeatCheck.ALREADY_APPLIED
    sent = replace(request, change_sent_at=T0)
    assert compare_unassign(sent, holds=False) is SeatCheck.ALREADY_APPLIED


# asking


def test_a_request_names_the_user_the_product_and_the_plan_and_is_published_once_made() -> None:
    world = World()
    request_id = world.asked()

    assert (
        request_id == unassign_request_id(KEY, CLIENT_KEY) == f"C01_{VAULT}-unassign-{CLIENT_KEY}"
    )
    request = world.store.requests[request_id]
    assert (request.kind, request.status, request.source) == (
        RequestKind.UNASSIGN,
        RequestStatus.PENDING,
        Source.MANUAL,
    )
    assert (request.user_email, request.user_id, request.product_id) == (ANN, "1001", VAULT)
    assert (request.plan_name, request.seats_to_add, request.total_after) == ("FLEXIBLE", 0, 10)
    assert world.publisher.top_ups == [request_id]


def test_the_same_key_again_answers_the_same_request_and_makes_no_second() -> None:
    world = World()
    first = world.ask(SeatToUnassign("C01", VAULT, ANN, "1001"), CLIENT_KEY, ADMIN)
    again = world.ask(SeatToUnassign("C01", VAULT, ANN.upper(), "1001"), CLIENT_KEY, ADMIN)

    assert (first.created, again.created) == (True, False)
    assert again.request == first.request
    assert len(world.store.requests) == 1


def test_a_key_used_for_another_user_is_refused_with_409() -> None:
    world = World()
    world.store.seat_holders[OTHER_DOC] = holder(BOB, "1002")
    world.asked()

    with pytest.raises(UnassignRefused) as refused:
        world.asked(BOB, "1002")
    assert refused.value.status == 409
    assert "requestId" in refused.value.errors
    assert len(world.store.requests) == 1


@pytest.mark.parametrize(
    ("seat", "status", "field"),
    [
        # nobody stored under that user, or the address does not match the one stored
        (SeatToUnassign("C01", VAULT, "zed@acme.example", "9999"), 404, "email"),
        (SeatToUnassign("C01", VAULT, BOB, "1001"), 404, "email"),
        # another customer's seat is not found from this one
        (SeatToUnassign("C02", VAULT, ANN, "1001"), 404, "email"),
        # a seat in use
        (SeatToUnassign("C01", VAULT, BOB, "1002"), 422, "email"),
        # the Workspace licence: Google assigns it automatically
        (SeatToUnassign("C01", STARTER, ANN, "1001"), 422, "email"),
    ],
)
def test_only_a_stored_reclaimable_add_on_seat_may_be_asked_for(
    seat: SeatToUnassign, status: int, field: str
) -> None:
    world = World()
    with pytest.raises(UnassignRefused) as refused:
        world.ask(seat, CLIENT_KEY, ADMIN)

    assert refused.value.status == status
    assert field in refused.value.errors
    assert world.store.requests == {}
    assert world.publisher.top_ups == []


def test_the_auto_licensed_seat_is_refused_with_the_admin_console_instruction() -> None:
    world = World()
    with pytest.raises(UnassignRefused) as refused:
        world.ask(SeatToUnassign("C01", STARTER, ANN, "1001"), CLIENT_KEY, ADMIN)
    assert "Admin console" in refused.value.errors["email"]


@pytest.mark.parametrize("client_key", ["short", "has spaces in it", "x" * 65, ""])
def test_a_bad_client_key_is_refused(client_key: str) -> None:
    world = World()
    with pytest.raises(UnassignRefused) as refused:
        world.asked(key=client_key)
    assert (refused.value.status, list(refused.value.errors)) == (422, ["requestId"])


def test_a_seat_of_a_licence_no_longer_held_is_not_found() -> None:
    world = World()
    licence = world.store.licences[KEY]
    world.store.licences[KEY] = replace(licence, usage=replace(licence.usage, status="REMOVED"))
    with pytest.raises(UnassignRefused) as refused:
        world.asked()
    assert refused.value.status == 404


def test_insights_after_takes_one_off_the_holders_reason_and_never_goes_below_zero() -> None:
    insights = LicenceInsights(
        "C01",
        T0,
        HoldersStatus.OK,
        "",
        60,
        {
            VAULT: SkuInsight(
                VAULT, holders=3, reclaimable=2, suspended=0, never_signed_in=1, inactive=1
            )
        },
    )
    after = insights_after(insights, holder(ANN, "1001", reason="INACTIVE"))
    assert after is not None
    assert after.skus[VAULT] == SkuInsight(VAULT, 2, 1, 0, 1, 0)
    in_use = insights_after(insights, holder(ANN, "1001", reason=""))
    assert in_use is not None and in_use.skus[VAULT] == SkuInsight(VAULT, 2, 2, 0, 1, 1)
    floor = insights_after(after, holder(ANN, "1001", reason="SUSPENDED"))
    assert floor is not None and floor.skus[VAULT].suspended == 0
    assert insights_after(None, holder(ANN, "1001")) is None
    assert insights_after(insights, holder(ANN, "1001", sku_id=STARTER)) is None

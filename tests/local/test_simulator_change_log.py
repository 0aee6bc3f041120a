"""The simulator's change log, which the soak reconciles against: every seat change it accepts,
with before and after and who asked (the calling process, found through /proc), and the
Admin-console edits made through its control routes; and the hang that lands a call late."""

from __future__ import annotations

import os
import time

import pytest
from googleapiclient.errors import HttpError

from licence_manager_local.simulator import (
    SimulatorControl,
    demo_world,
    reseller_service,
    start_simulator,
)
from licence_manager_local.simulator.callers import describe_process


def flexible(control: SimulatorControl) -> dict[str, object]:
    return dict(
        next(
            s
            for s in control.snapshot()["subscriptions"]
            if s["planName"] == "FLEXIBLE" and s["status"] == "ACTIVE"
            and s["billingMethod"] == "ONLINE"
        )
    )  # fmt: skip


def test_every_accepted_seat_change_is_logged_with_its_caller() -> None:
    with start_simulator(demo_world(7)) as sim:
        control = SimulatorControl(sim.url)
        sub = flexible(control)
        customer, seats = str(sub["customerId"]), int(str(sub["seats"]))
        service = reseller_service(sim.url)
        service.subscriptions().changeSeats(
            customerId=customer,
            subscriptionId=sub["subscriptionId"],
            body={"kind": "subscriptions#seats", "maximumNumberOfSeats": seats + 3},
        ).execute()
        with pytest.raises(HttpError):  # a refused change is not in the log
            service.subscriptions().changeSeats(
                customerId=customer,
                subscriptionId="no-such-id",
                body={"kind": "subscriptions#seats", "maximumNumberOfSeats": seats + 9},
            ).execute()
        control.update_subscription(
            customer, str(sub["skuId"]), seats=seats + 5, actor="admin-console", new_id=True
        )
        control.set_users(customer, str(sub["skuId"]), 1)  # usage only: not a seat change

        api, console = control.changes()
    assert (api["method"], api["seatsBefore"], api["seatsAfter"]) == (
        "subscriptions.changeSeats",
        seats,
        seats + 3,
    )
    assert api["caller"] == f"{describe_process(os.getpid())} pid={os.getpid()}"
    assert api["subscriptionIdBefore"] == sub["subscriptionId"]
    assert api["subscriptionIdAfter"] != sub["subscriptionId"]  # Google reissues the id
    assert (console["seatsBefore"], console["seatsAfter"]) == (seats + 3, seats + 5)
    assert console["caller"] == "control:admin-console"
    assert console["subscriptionIdAfter"] != api["subscriptionIdAfter"]


def test_a_call_held_before_it_is_carried_out_lands_late_and_names_its_caller() -> None:
    with start_simulator(demo_world(7)) as sim:
        control = SimulatorControl(sim.url)
        sub = flexible(control)
        control.hang_next(1.5, method="subscriptions.changeSeats", before=True)
        asked_ms = time.time() * 1000
        with pytest.raises(TimeoutError):  # the caller gives up and hangs up before it lands
            reseller_service(sim.url, timeout=0.5).subscriptions().changeSeats(
                customerId=sub["customerId"],
                subscriptionId=sub["subscriptionId"],
                body={"kind": "subscriptions#seats", "maximumNumberOfSeats": 99},
            ).execute()
        deadline = time.monotonic() + 5
        while not control.changes() and time.monotonic() < deadline:
            time.sleep(0.1)
        (change,) = control.changes()
        assert change["atMs"] - asked_ms >= 1400  # carried out only after the hold
        assert change["caller"] == f"{describe_process(os.getpid())} pid={os.getpid()}"
        assert control.faults()["injected"] == {"delay": 1}

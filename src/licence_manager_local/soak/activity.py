"""What people and the world do during a soak: users drift, customer admins add seats by hand
and change settings (often while a request is pending), an admin changes seats in the Admin
console (outside Licence Manager, sometimes giving the subscription a new id), and now and then
a purchase. Everything goes through the api as a signed-in demo admin, the way the dashboard
does; outside changes go through the simulator's god-mode control (logged as `control:`)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from licence_manager_local import run
from licence_manager_local.demo_users import DEMO_USERS
from licence_manager_local.simulator import SimulatorControl
from licence_manager_local.simulator.control import SubscriptionState
from licence_manager_local.soak.api import OPS, ApiClient
from licence_manager_local.soak.checks import SettingsChange
from licence_manager_local.soak.tally import Tally

ADMIN_CONSOLE = "admin-console"
# Settings the soak starts from on every flexible SKU: room for top-ups all day long.
SOAK_SETTINGS = {
    "lowLicenceAlert": True,
    "alertVacantAtOrBelow": 2,
    "alertUtilisationAtOrAbove": None,
    "autoTopUp": True,
    "topUpWhenVacantBelow": 2,
    "topUpTargetVacant": 4,
    "topUpMode": "restore",
    "topUpStep": 1,
    "maxSeatsPerMonth": 200,
    "holdTopUpsWhenReclaimable": None,
}
SETTINGS_FIELDS = (*SOAK_SETTINGS, "maxTotalSeats")


@dataclass(frozen=True)
class ActivityPlan:
    drift_seconds: float = 2.0
    addition_gap_seconds: float = 30.0  # mean time between manual additions
    settings_gap_seconds: float = 90.0
    outside_gap_seconds: float = 60.0
    purchase_gap_seconds: float = 300.0


def admin_of(domain: str) -> str:
    for email, _name, role, domains in DEMO_USERS:
        if role.value == "customer_admin" and domain in domains:
            return email
    return OPS


def licence_id(sub: SubscriptionState) -> str:
    return f"{sub['customerId']}_{sub['skuId']}"


class Activity:
    def __init__(
        self,
        endpoints: run.Endpoints,
        tally: Tally,
        rng: random.Random,
        plan: ActivityPlan,
        stop: threading.Event,
        pending: Callable[[], dict[str, list[dict[str, Any]]]],
        log: Callable[[str], None],
    ) -> None:
        self._api = ApiClient(endpoints.api)
        self._sim = SimulatorControl(endpoints.simulator)
        self._tally = tally
        self._rng = rng
        self._plan = plan
        self._stop = stop
        self._pending = pending  # licence id → its non-final requests (Firestore, fresh)
        self._log = log
        self.settings_saves: list[SettingsChange] = []
        self._lock = threading.Lock()

    # ----- set-up -----

    def raise_caps(self) -> None:
        """Settings with room for a day of top-ups on every flexible SKU (the demo's caps would
        block every top-up after the first few minutes)."""
        for sub in self._subscriptions():
            if sub["planName"] == "FLEXIBLE" and sub["status"] == "ACTIVE":
                body = {**SOAK_SETTINGS, "maxTotalSeats": sub["seats"] + 60}
                try:
                    self._save_settings(sub, body, "raise caps for the soak")
                except OSError as error:  # the demo's caps stay: fewer top-ups, no verdict
                    self._tally.add("activity_errors.raise_caps")
                    self._log(f"raise caps on {licence_id(sub)}: {error}")

    # ----- the threads -----

    def drift(self) -> None:
        while not self._stop.wait(self._plan.drift_seconds):
            try:
                changed = self._sim.drift()
            except OSError:
                continue
            self._tally.add("world.drift_steps")
            self._tally.add("world.subscriptions_drifted", changed)

    def people(self) -> None:
        """Manual additions, settings changes, outside changes and purchases, each at its own
        random rate (Poisson), from one thread so their order in the log is their real order."""
        gaps = {
            self._manual_addition: self._plan.addition_gap_seconds,
            self._settings_change: self._plan.settings_gap_seconds,
            self._outside_change: self._plan.outside_gap_seconds,
            self._purchase: self._plan.purchase_gap_seconds,
        }
        now = datetime.now(UTC).timestamp()
        due = {act: now + self._rng.expovariate(1 / gap) for act, gap in gaps.items()}
        while not self._stop.is_set():
            act = min(due, key=lambda a: due[a])
            wait = due[act] - datetime.now(UTC).timestamp()
            if wait > 0 and self._stop.wait(wait):
                return
            due[act] = datetime.now(UTC).timestamp() + self._rng.expovariate(1 / gaps[act])
            try:
                act()
            except Exception as error:  # an action that could not be done is no verdict
                self._tally.add(f"activity_errors.{act.__name__.strip('_')}")
                self._log(f"{act.__name__}: {type(error).__name__}: {error}")

    # ----- the actions -----

    def _manual_addition(self) -> None:
        sub = self._target(lambda s: s["status"] == "ACTIVE")
        if sub is None:
            return
        seats = self._rng.randint(1, 3)
        path = f"/api/v1/customers/{sub['customerId']}/licences/{sub['skuId']}/additions"
        status, body = self._api.call(
            "POST", path, {"seats": seats}, email=admin_of(sub["customerDomain"])
        )
        pending = bool(self._pending().get(licence_id(sub)))
        self._tally.add(
            f"manual_additions.{status}{' while a request was pending' if pending else ''}"
        )
        rid = body.get("id") if isinstance(body, dict) else None
        self._log(f"manual +{seats} on {licence_id(sub)}: {status} {rid or body}")

    def _settings_change(self) -> None:
        sub = self._target(
            lambda s: s["planName"] == "FLEXIBLE" and s["status"] == "ACTIVE", automatic=True
        )
        if sub is None:
            return
        current = self._settings_of(sub)
        if current is None:
            return
        pending = bool(self._pending().get(licence_id(sub)))
        how = self._rng.choice(("auto_off_then_on", "total_cap_lowered", "monthly_cap_lowered"))
        if how == "auto_off_then_on":
            changed = {**current, "autoTopUp": False}
        elif how == "total_cap_lowered":
            # At today's total: any pending top-up would now break the cap.
            changed = {**current, "maxTotalSeats": sub["seats"]}
        else:
            changed = {**current, "maxSeatsPerMonth": 1}
        self._tally.add(f"settings_changes.{how}{' while pending' if pending else ''}")
        self._save_settings(sub, changed, how)
        # Put back after a while, on a thread of its own: the world goes on meanwhile.
        later = self._rng.uniform(10, 60)
        threading.Thread(
            target=self._restore_settings, args=(sub, current, later, how), daemon=True
        ).start()

    def _restore_settings(
        self, sub: SubscriptionState, settings: dict[str, Any], after: float, how: str
    ) -> None:
        if not self._stop.wait(after):
            self._save_settings(sub, settings, f"undo {how}")

    def _outside_change(self) -> None:
        # Increases only: an Admin console purchase the sync must record as outside, and invoice.
        sub = self._target(lambda s: s["status"] == "ACTIVE" and s["planName"] != "TRIAL")
        if sub is None:
            return
        added = self._rng.randint(1, 3)
        new_id = self._rng.random() < 0.5
        self._sim.update_subscription(
            sub["customerId"],
            sub["skuId"],
            seats=sub["seats"] + added,
            actor=ADMIN_CONSOLE,
            new_id=new_id,
        )
        pending = bool(self._pending().get(licence_id(sub)))
        self._tally.add(
            f"outside_changes.{'new id' if new_id else 'same id'}"
            f"{' while pending' if pending else ''}"
        )
        self._log(f"outside +{added} on {licence_id(sub)} (new id: {new_id})")

    def _purchase(self) -> None:
        snapshot = self._sim.snapshot()
        ours = [c for c in snapshot["customers"] if c["ours"]]
        customer = self._rng.choice(ours)
        owned = {
            s["skuId"]
            for s in snapshot["subscriptions"]
            if s["customerId"] == customer["customerId"]
        }
        catalogue = self._api.get(f"/api/v1/customers/{customer['customerId']}/catalogue")
        choices = [s["skuId"] for s in catalogue["skus"] if s["skuId"] not in owned]
        if not choices:
            return
        body = {"skuId": self._rng.choice(choices), "planName": "FLEXIBLE", "seats": 2}
        status, answer = self._api.call(
            "POST",
            f"/api/v1/customers/{customer['customerId']}/purchases",
            body,
            email=admin_of(customer["customerDomain"]),
        )
        self._tally.add(f"purchases.{status}")
        self._log(f"purchase {body} for {customer['customerId']}: {status} {answer}")

    # ----- helpers -----

    def _subscriptions(self) -> list[SubscriptionState]:
        snapshot = self._sim.snapshot()
        ours = {c["customerId"] for c in snapshot["customers"] if c["ours"]}
        return [
            s
            for s in snapshot["subscriptions"]
            if s["customerId"] in ours and s["billingMethod"] == "ONLINE"
        ]

    def _target(
        self, fits: Callable[[SubscriptionState], bool], automatic: bool = False
    ) -> SubscriptionState | None:
        """Half the time a licence with a request pending (that is where bugs hide)."""
        subs = [s for s in self._subscriptions() if fits(s)]
        if not subs:
            return None
        pending = self._pending()
        busy = [
            s
            for s in subs
            if any(
                not automatic or r.get("source") == "automatic"
                for r in pending.get(licence_id(s), [])
            )
        ]
        if busy and self._rng.random() < 0.5:
            return self._rng.choice(busy)
        return self._rng.choice(subs)

    def _settings_of(self, sub: SubscriptionState) -> dict[str, Any] | None:
        path = f"/api/v1/customers/{sub['customerId']}/licences/{sub['skuId']}/settings"
        status, body = self._api.call("GET", path, email=admin_of(sub["customerDomain"]))
        if status != 200 or not isinstance(body, dict):
            return None
        return {k: v for k, v in body.items() if k in SETTINGS_FIELDS}

    def _save_settings(self, sub: SubscriptionState, body: dict[str, Any], why: str) -> None:
        path = f"/api/v1/customers/{sub['customerId']}/licences/{sub['skuId']}/settings"
        asked = datetime.now(UTC)
        status, answer = self._api.call("PUT", path, body, email=admin_of(sub["customerDomain"]))
        at = datetime.now(UTC)
        self._tally.add(f"settings_saves.{status}")
        if status == 200:
            with self._lock:
                self.settings_saves.append(
                    SettingsChange(
                        licence_id(sub),
                        at,
                        bool(body.get("autoTopUp")),
                        body.get("maxTotalSeats"),
                    )
                )
        took = (at - asked).total_seconds()
        self._log(
            f"settings {why} on {licence_id(sub)}: {status} in {took:.1f}s"
            + ("" if status == 200 else f" {answer}")
        )

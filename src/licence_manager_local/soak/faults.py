"""The soak's fault injector: what goes wrong, at random, while the demo world runs.

- Reseller API: windows of random 429/503, queued 429/500/503 on any method, calls to
  changeSeats that hang past the top-up lease (answered late, or held and carried out late),
  and hangs past the client's timeout (a timeout: the caller cannot know what happened).
- SendGrid: 429 with a reset, 5xx, and sends answered late.
- Processes: apply_topup, evaluate_thresholds and send_alerts SIGKILLed at random moments, and
  on purpose mid-request (apply_topup after Google applied its change but before it answered;
  send_alerts after SendGrid accepted an email but before it answered), then started again.
- Redeliveries: request and notification ids published again (a duplicate delivery).

Every fault is counted in the tally under `fault.<kind>` and every kill under `killed.<name>`.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from licence_manager_local import run, topology
from licence_manager_local.sendgrid_standin import SendGridStandInControl
from licence_manager_local.simulator import SimulatorControl
from licence_manager_local.soak.tally import Tally

KILLABLE = ("apply_topup", "evaluate_thresholds", "send_alerts")
CHANGE_SEATS = "subscriptions.changeSeats"


@dataclass(frozen=True)
class FaultPlan:
    lease_seconds: float = 20.0
    client_timeout_seconds: float = 30.0  # RESELLER_TIMEOUT_SECONDS of the functions
    mean_gap_seconds: float = 10.0  # between two faults of any kind
    # Relative weights of each kind of fault.
    weights: tuple[tuple[str, float], ...] = (
        ("reseller_rate_window", 2),
        ("reseller_fail_next", 3),
        ("reseller_hang_past_lease", 2),
        ("reseller_late_landing", 1),
        ("reseller_timeout", 1),
        ("sendgrid_fail", 3),
        ("sendgrid_hang", 1),
        ("kill_random", 3),
        ("kill_apply_mid_change", 2),
        ("kill_send_mid_email", 1),
        ("redeliver", 4),
    )


class FaultInjector:
    def __init__(
        self,
        stack: run.Stack,
        endpoints: run.Endpoints,
        tally: Tally,
        rng: random.Random,
        plan: FaultPlan,
        stop: threading.Event,
        known_ids: Callable[[], tuple[list[str], list[str]]],
        log: Callable[[str], None],
    ) -> None:
        self._stack = stack
        self._endpoints = endpoints
        self._sim = SimulatorControl(endpoints.simulator)
        self._sendgrid = SendGridStandInControl(endpoints.sendgrid)
        self._tally = tally
        self._rng = rng
        self._plan = plan
        self._stop = stop
        self._known_ids = known_ids  # (request ids, notification ids) seen so far
        self._log = log
        # One kill at a time: a function being restarted is not killed again meanwhile.
        self._killing = threading.Lock()
        self._killer: threading.Thread | None = None
        self._publisher: Any = None

    def run(self) -> None:
        kinds = [k for k, _ in self._plan.weights]
        weights = [w for _, w in self._plan.weights]
        while not self._stop.wait(self._rng.expovariate(1 / self._plan.mean_gap_seconds)):
            kind = self._rng.choices(kinds, weights)[0]
            if kind.startswith("kill_"):
                # Kills wait for their moment and restart the process: off the main loop, one
                # at a time, so other faults keep coming meanwhile.
                if self._killer is not None and self._killer.is_alive():
                    continue
                self._killer = threading.Thread(target=self._inject, args=(kind,), daemon=True)
                self._killer.start()
            else:
                self._inject(kind)

    def _inject(self, kind: str) -> None:
        try:
            self._log(f"fault {kind}")
            getattr(self, f"_{kind}")()
        except Exception as error:  # a fault that could not be injected is no verdict
            self._tally.add(f"injector_errors.{kind}")
            self._log(f"could not inject {kind}: {type(error).__name__}: {error}")

    def join(self) -> None:
        """Wait for a kill in progress to have started its process again."""
        if self._killer is not None:
            self._killer.join(timeout=240)

    def clear(self) -> None:
        """Everything off: no random or queued faults left at either stand-in."""
        self._sim.clear_faults()
        self._sendgrid.clear_faults()

    # ----- Reseller API -----

    def _reseller_rate_window(self) -> None:
        rate_429, rate_503 = self._rng.uniform(0.05, 0.3), self._rng.uniform(0.05, 0.3)
        self._sim.set_faults(rate_429=rate_429, rate_503=rate_503)
        self._tally.add("fault.reseller_random_429_503_window")
        self._log(f"  Reseller 429 rate {rate_429:.2f}, 503 rate {rate_503:.2f}")
        # Off again after a while, on a thread of its own so other faults overlap with it.
        seconds = self._rng.uniform(5, 20)
        threading.Thread(target=self._rates_off_after, args=(seconds,), daemon=True).start()

    def _rates_off_after(self, seconds: float) -> None:
        self._stop.wait(seconds)
        self._sim.set_faults(rate_429=0.0, rate_503=0.0)

    def _reseller_fail_next(self) -> None:
        code = self._rng.choice((429, 500, 503))
        method = self._rng.choice((None, CHANGE_SEATS, "subscriptions.list"))
        count = self._rng.randint(1, 3)
        self._sim.fail_next(code, count=count, method=method)
        self._tally.add(f"fault.reseller_fail_next_{code}", count)
        self._log(f"  Reseller: next {count} {method or 'calls'} answer {code}")

    def _reseller_hang_past_lease(self) -> None:
        # Carried out at once, answered only after the lease ran out: the caller gave up at its
        # timeout long before, and its retries (if its lease let it) find the change made.
        seconds = self._plan.lease_seconds + self._rng.uniform(2, 10)
        self._sim.hang_next(seconds, method=CHANGE_SEATS)
        self._tally.add("fault.reseller_changeSeats_answered_after_lease")
        self._log(f"  Reseller: next changeSeats answered after {seconds:.1f}s")

    def _reseller_late_landing(self) -> None:
        # Held on the way and carried out only after the caller's timeout: lands late, after
        # the caller may have retried (an absolute total, so a repeat buys nothing more).
        seconds = self._plan.client_timeout_seconds + self._rng.uniform(2, 10)
        self._sim.hang_next(seconds, method=CHANGE_SEATS, before=True)
        self._tally.add("fault.reseller_changeSeats_landing_after_timeout")
        self._log(f"  Reseller: next changeSeats held {seconds:.1f}s, then carried out")

    def _reseller_timeout(self) -> None:
        seconds = self._plan.client_timeout_seconds + self._rng.uniform(2, 8)
        method = self._rng.choice((CHANGE_SEATS, "subscriptions.list"))
        before = self._rng.random() < 0.5
        self._sim.hang_next(seconds, method=method, before=before)
        self._tally.add(f"fault.reseller_timeout_{method.split('.')[1]}")
        self._log(
            f"  Reseller: next {method} hangs {seconds:.1f}s ({'before' if before else 'after'})"
        )

    # ----- SendGrid -----

    def _sendgrid_fail(self) -> None:
        code = self._rng.choice((429, 429, 500, 502, 503, 504))
        count = self._rng.randint(1, 2)
        reset = self._rng.uniform(0.5, 3) if code == 429 else None
        self._sendgrid.fail_next(code, count=count, reset_in_seconds=reset)
        self._tally.add(f"fault.sendgrid_{code}", count)
        self._log(f"  SendGrid: next {count} sends answer {code}")

    def _sendgrid_hang(self) -> None:
        self._sendgrid.hang_next(self._rng.uniform(3, 12))
        self._tally.add("fault.sendgrid_answered_late")

    # ----- processes -----

    def _kill_random(self) -> None:
        self._kill(self._rng.choice(KILLABLE), "at a random moment")

    def _kill_apply_mid_change(self) -> None:
        """Hold changeSeats' answer, and kill apply_topup as soon as Google has applied a change
        for it: the crash between Google's change and the record of it."""
        known = len(self._sim.changes())
        self._sim.hang_next(self._rng.uniform(5, 10), method=CHANGE_SEATS)
        self._tally.add("fault.reseller_changeSeats_answered_late_for_kill")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self._stop.is_set():
            fresh = [c for c in self._sim.changes()[known:] if c["method"] == CHANGE_SEATS]
            if fresh:
                self._kill("apply_topup", f"after Google applied change #{fresh[0]['seq']}")
                self._tally.add("killed_mid_request.apply_topup_after_changeSeats")
                return
            time.sleep(0.2)

    def _kill_send_mid_email(self) -> None:
        """Hold SendGrid's answer and kill send_alerts once the email is in the outbox."""
        known = len(self._sendgrid.outbox())
        self._sendgrid.hang_next(self._rng.uniform(5, 10))
        self._tally.add("fault.sendgrid_answered_late_for_kill")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self._stop.is_set():
            if len(self._sendgrid.outbox()) > known:
                self._kill("send_alerts", "after SendGrid accepted an email")
                self._tally.add("killed_mid_request.send_alerts_after_send")
                return
            time.sleep(0.2)

    def _kill(self, name: str, why: str) -> None:
        with self._killing:
            pid = self._stack.kill(name)
            self._tally.add(f"killed.{name}")
            self._log(f"SIGKILLed {name} (pid {pid}) {why}")
            # A crashed instance is replaced after a moment, as Cloud Run starts a new one.
            time.sleep(self._rng.uniform(0.5, 4))
            self._stack.restart(name)
            run.wait_http(self._endpoints.functions[name], timeout=90)

    # ----- redeliveries -----

    def _redeliver(self) -> None:
        requests, notifications = self._known_ids()
        if self._publisher is None:
            from google.cloud import pubsub_v1  # type: ignore[attr-defined]

            self._publisher = pubsub_v1.PublisherClient()
        if requests and self._rng.random() < 0.6:
            request_id = self._rng.choice(requests)
            self._publish(topology.TOPUP_TOPIC, {"requestId": request_id})
            self._tally.add("fault.redelivered_topup_request")
            self._log(f"  published {request_id} again")
        elif notifications:
            self._publish(topology.ALERT_TOPIC, {"notificationId": self._rng.choice(notifications)})
            self._tally.add("fault.redelivered_notification")

    def _publish(self, topic: str, body: dict[str, str]) -> None:
        path = self._publisher.topic_path(run.PROJECT, topic)
        self._publisher.publish(path, json.dumps(body).encode()).result(timeout=30)

    def _between(self, low: float, high: float) -> float:
        return self._rng.uniform(low, max(low, high))

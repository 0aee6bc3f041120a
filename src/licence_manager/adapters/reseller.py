"""The Workspace Reseller API through google-api-python-client: reading usage, changing seats."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from googleapiclient.errors import HttpError

from licence_manager.adapters.retry import RetryPolicy, call_with_retries
from licence_manager.domain.model import PlanKind, Subscription, plan_kind
from licence_manager.observability import get_logger
from licence_manager.ports import (
    AccessDenied,
    CustomerProfile,
    SeatChanger,
    SourceError,
    SubscriptionListing,
    SubscriptionSource,
)

PAGE_SIZE = 100  # the most subscriptions.list allows per call
_RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
_TRANSIENT_STATUSES = {429, 500, 502, 503, 504}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

log = get_logger(__name__)


def error_reason(error: HttpError) -> str:
    try:
        body = json.loads(error.content or b"{}")
        return str(body["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def is_transient(error: BaseException) -> bool:
    """429, 5xx, 403 rate limits, timeouts and dropped connections are worth another try."""
    if isinstance(error, HttpError):
        status = error.resp.status
        return bool(status in _TRANSIENT_STATUSES) or (
            status == 403 and error_reason(error) in _RATE_LIMIT_REASONS
        )
    return isinstance(error, (TimeoutError, socket.timeout, ConnectionError))


def subscription_from_api(item: dict[str, Any]) -> Subscription:
    seats = item.get("seats", {})
    plan = item.get("plan", {})
    # Renewal settings mean something on annual plans only (Google's own sample shows
    # "AUTO_RENEW" on a FLEXIBLE one): elsewhere they are left empty. The type is an open
    # string, kept as Google sends it.
    annual = plan_kind(plan.get("planName", "")) is PlanKind.ANNUAL
    renewal = item.get("renewalSettings") or {}
    interval = plan.get("commitmentInterval") or {}
    trial = item.get("trialSettings") or {}
    return Subscription(
        customer_id=item["customerId"],
        customer_domain=item.get("customerDomain", ""),
        sku_id=item["skuId"],
        sku_name=item.get("skuName", item["skuId"]),
        plan_name=plan.get("planName", ""),
        subscription_id=item["subscriptionId"],
        status=item.get("status", ""),
        number_of_seats=seats.get("numberOfSeats"),
        maximum_number_of_seats=seats.get("maximumNumberOfSeats"),
        licensed_number_of_seats=seats.get("licensedNumberOfSeats", 0),
        purchase_order_id=item.get("purchaseOrderId", ""),
        renewal_type=str(renewal.get("renewalType") or "") if annual else "",
        commitment_ends_at=_epoch_ms(interval.get("endTime")) if annual else None,
        trial_ends_at=_epoch_ms(trial.get("trialEndTime")) if trial.get("isInTrial") else None,
        suspension_reasons=tuple(str(r) for r in item.get("suspensionReasons") or ()),
    )


def _epoch_ms(value: Any) -> datetime | None:
    """commitmentInterval times are milliseconds since the epoch, as strings. Absent (offline
    billing) or unreadable: None, so one odd field never stops a sync."""
    try:
        return EPOCH + timedelta(milliseconds=int(value))
    except (TypeError, ValueError, OverflowError):
        return None


def is_online(item: dict[str, Any]) -> bool:
    # Offline orders are invoiced outside the reseller console; Licence Manager must not touch them.
    return bool(item.get("billingMethod", "ONLINE") != "OFFLINE")


class ResellerApi(SubscriptionSource, SeatChanger):
    """The Reseller API through google-api-python-client. `service_factory` builds a Resource;
    httplib2 is not thread-safe, so each thread gets its own."""

    def __init__(
        self,
        service_factory: Callable[[], Any],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        call_timeout_seconds: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._service_factory = service_factory
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._call_timeout = timedelta(seconds=call_timeout_seconds)
        self._clock = clock
        self._local = threading.local()

    def _service(self) -> Any:
        if not hasattr(self._local, "service"):
            self._local.service = self._service_factory()
        return self._local.service

    def _execute(
        self,
        request_factory: Callable[[Any], Any],
        what: str,
        send_until: datetime | None = None,
        customer_id: str = "",
    ) -> Any:
        unanswered = False  # a try ended without a definite answer: it may have been applied

        def one_try() -> Any:
            if send_until is not None and self._clock() + self._call_timeout > send_until:
                raise _OutOfTime(what)
            return request_factory(self._service()).execute()

        def on_retry(attempt: int, error: BaseException, wait: float) -> None:
            nonlocal unanswered
            unanswered = unanswered or not _definitely_refused(error)
            log.warning(
                "retrying Reseller API call",
                extra={
                    **_error_fields(error, what, customer_id, will_retry=True),
                    "attempt": attempt,
                    "waitSeconds": round(wait, 3),
                    "error": _describe(error),
                },
            )

        kwargs: dict[str, Any] = {"on_retry": on_retry}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        try:
            return call_with_retries(one_try, self._retry, is_transient, **kwargs)
        except _OutOfTime as error:
            raise SourceError(
                f"{what}: stopped retrying, the attempt's lease is ending",
                reason="leaseEnding",
                may_have_applied=unanswered,
            ) from error
        except HttpError as error:
            log.warning(
                "Reseller API call failed",
                extra={
                    **_error_fields(error, what, customer_id, will_retry=False),
                    "error": _describe(error),
                },
            )
            if error.resp.status == 403 and error_reason(error) not in _RATE_LIMIT_REASONS:
                raise AccessDenied(_describe(error), status=403, reason="forbidden") from error
            raise SourceError(
                _describe(error),
                status=error.resp.status,
                reason=error_reason(error),
                may_have_applied=unanswered or not _definitely_refused(error),
            ) from error
        except (TimeoutError, ConnectionError) as error:
            log.warning(
                "Reseller API call failed",
                extra={
                    **_error_fields(error, what, customer_id, will_retry=False),
                    "error": _describe(error),
                },
            )
            raise SourceError(f"{what}: {_describe(error)}", may_have_applied=True) from error

    def list_subscriptions(self, customer_name_prefix: str | None) -> SubscriptionListing:
        listing = SubscriptionListing()
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {"maxResults": PAGE_SIZE}
            if customer_name_prefix:
                params["customerNamePrefix"] = customer_name_prefix
            if page_token:
                params["pageToken"] = page_token
            listing.api_calls += 1
            try:
                page = self._execute(_list_request(params), "subscriptions.list")
            except SourceError as error:
                # Without this page we cannot reach the next ones: keep what we have, say so.
                listing.complete = False
                listing.error = str(error)
                return listing
            for item in page.get("subscriptions", []):
                if is_online(item):
                    listing.subscriptions.append(subscription_from_api(item))
                else:
                    listing.skip_offline(item["customerId"], item["skuId"])
            page_token = page.get("nextPageToken")
            if not page_token:
                return listing

    def list_customer_subscriptions(self, customer_id: str) -> list[Subscription]:
        found: list[Subscription] = []
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {"customerId": customer_id, "maxResults": PAGE_SIZE}
            if page_token:
                params["pageToken"] = page_token
            page = self._execute(_list_request(params), "subscriptions.list", None, customer_id)
            found += [
                subscription_from_api(i) for i in page.get("subscriptions", []) if is_online(i)
            ]
            page_token = page.get("nextPageToken")
            if not page_token:
                return found

    def get_customer(self, customer_id: str) -> CustomerProfile:
        body = self._execute(
            lambda service: service.customers().get(customerId=customer_id),
            "customers.get",
            None,
            customer_id,
        )
        return CustomerProfile(
            customer_id=body["customerId"],
            customer_domain=body.get("customerDomain", ""),
            organization_name=body.get("postalAddress", {}).get("organizationName", ""),
            alternate_email=body.get("alternateEmail", ""),
        )

    # SeatChanger
    def current(self, customer_id: str, sku_id: str) -> Subscription | None:
        """Read afresh: subscription ids change on every update, so find it by SKU. A customer
        may hold two online subscriptions of one SKU (a trial beside a paid plan, say): the
        ACTIVE one is meant; if that is not one, changing either could be the wrong one."""
        matches = [s for s in self.list_customer_subscriptions(customer_id) if s.sku_id == sku_id]
        active = [s for s in matches if s.status == "ACTIVE"]
        if len(matches) > 1 and len(active) != 1:
            raise SourceError(
                f"customer {customer_id} has {len(matches)} subscriptions of {sku_id} "
                f"({len(active)} active): not sure which to change",
                status=409,
                reason="ambiguousSubscription",
            )
        if len(matches) > 1:
            return active[0]
        return matches[0] if matches else None

    def change_seats(
        self, subscription: Subscription, total: int, send_until: datetime | None = None
    ) -> Subscription:
        seats_field = (
            "numberOfSeats" if subscription.plan is PlanKind.ANNUAL else "maximumNumberOfSeats"
        )
        body = self._execute(
            lambda service: service.subscriptions().changeSeats(
                customerId=subscription.customer_id,
                subscriptionId=subscription.subscription_id,
                body={"kind": "subscriptions#seats", seats_field: total},
            ),
            "subscriptions.changeSeats",
            send_until,
            subscription.customer_id,
        )
        return subscription_from_api(body)

    def change_renewal(
        self, subscription: Subscription, renewal_type: str, send_until: datetime | None = None
    ) -> Subscription:
        body = self._execute(
            lambda service: service.subscriptions().changeRenewalSettings(
                customerId=subscription.customer_id,
                subscriptionId=subscription.subscription_id,
                body={"kind": "subscriptions#renewalSettings", "renewalType": renewal_type},
            ),
            "subscriptions.changeRenewalSettings",
            send_until,
            subscription.customer_id,
        )
        return subscription_from_api(body)

    def insert(
        self, customer_id: str, sku_id: str, plan_name: str, seats: int, reference: str
    ) -> Subscription:
        seats_field = (
            "numberOfSeats" if plan_kind(plan_name) is PlanKind.ANNUAL else "maximumNumberOfSeats"
        )
        body = self._execute(
            lambda service: service.subscriptions().insert(
                customerId=customer_id,
                body={
                    "kind": "reseller#subscription",
                    "customerId": customer_id,
                    "skuId": sku_id,
                    "plan": {"planName": plan_name},
                    "seats": {"kind": "subscriptions#seats", seats_field: seats},
                    "purchaseOrderId": reference[:80],
                },
            ),
            "subscriptions.insert",
            None,
            customer_id,
        )
        return subscription_from_api(body)


def _list_request(params: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda service: service.subscriptions().list(**params)


class _OutOfTime(Exception):
    """No time left in the caller's lease for another try."""


def _definitely_refused(error: BaseException) -> bool:
    """Google answered and did not apply the call: a 4xx, or 429 / 403 rate limits (refused
    before any work). Timeouts, dropped connections and 5xx may have been applied."""
    if isinstance(error, HttpError):
        return 400 <= int(error.resp.status) < 500
    return False


def _error_fields(
    error: BaseException, what: str, customer_id: str, *, will_retry: bool
) -> dict[str, Any]:
    """One record per error answer (metric reseller_api_errors, labelled by code): a retried
    try and the last one alike, so a 503 storm shows even when the retries win."""
    return {
        "event": "reseller.error",
        # 0: no HTTP answer at all (a timeout, a dropped connection)
        "httpStatus": int(error.resp.status) if isinstance(error, HttpError) else 0,
        "reason": error_reason(error) if isinstance(error, HttpError) else type(error).__name__,
        "call": what,
        "customerId": customer_id,
        "willRetry": will_retry,
    }


def _describe(error: BaseException) -> str:
    if isinstance(error, HttpError):
        return f"HTTP {error.resp.status} {error_reason(error)}: {error._get_reason()}"
    return f"{type(error).__name__}: {error}"

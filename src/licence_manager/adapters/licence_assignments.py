"""Unassigning one seat through the Licensing API (licenseAssignments.get and delete) with
google-api-python-client (static discovery), for apply_topup. Production: Google's endpoint with
keyless domain-wide delegation for the apps.licensing scope alone; locally RESELLER_API_ENDPOINT
points it at the simulator. Retries as the Reseller adapter's: no try starts that could outlast
the caller's lease, and a failure says whether an earlier try may have landed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from googleapiclient.errors import HttpError

from licence_manager.adapters.reseller import (
    _RATE_LIMIT_REASONS,
    _definitely_refused,
    _describe,
    _OutOfTime,
    error_reason,
    is_transient,
)
from licence_manager.adapters.reseller_client import delegated_credentials, discovery_document
from licence_manager.adapters.retry import RetryPolicy, call_with_retries
from licence_manager.config import LICENSING_SCOPE, Settings
from licence_manager.observability import get_logger
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, LicenceAssignments

log = get_logger(__name__)


def build_licensing_service(settings: Settings) -> Any:
    """A googleapiclient Resource for Licensing v1; one per thread (httplib2 is not safe)."""
    import httplib2
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build_from_document

    http: Any = httplib2.Http(timeout=settings.reseller_timeout_seconds)
    options: dict[str, str] = {}
    if settings.reseller_api_endpoint:
        options = {"api_endpoint": settings.reseller_api_endpoint}
    else:
        http = AuthorizedHttp(delegated_credentials(settings, (LICENSING_SCOPE,)), http=http)
    return build_from_document(
        discovery_document("licensing.v1"), http=http, client_options=options
    )


class LicensingAssignments(LicenceAssignments):
    def __init__(
        self,
        service_factory: Callable[[], Any],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        call_timeout_seconds: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._factory = service_factory
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._call_timeout = timedelta(seconds=call_timeout_seconds)
        self._clock = clock
        self._local = threading.local()

    def _service(self) -> Any:
        if not hasattr(self._local, "service"):
            self._local.service = self._factory()
        return self._local.service

    def _execute(
        self, request: Callable[[Any], Any], what: str, send_until: datetime | None = None
    ) -> Any:
        unanswered = False  # a try ended without a definite answer: it may have been applied

        def one_try() -> Any:
            if send_until is not None and self._clock() + self._call_timeout > send_until:
                raise _OutOfTime(what)
            return request(self._service()).execute()

        def on_retry(attempt: int, error: BaseException, wait: float) -> None:
            nonlocal unanswered
            unanswered = unanswered or not _definitely_refused(error)
            log.warning(
                "retrying Licensing API call",
                extra={
                    "call": what,
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
            reason = error_reason(error)
            if error.resp.status == 403 and reason not in _RATE_LIMIT_REASONS:
                raise AdminApiAccessDenied(
                    "licensing", reason or "forbidden", _describe(error)
                ) from error
            raise SourceError(
                f"{what}: {_describe(error)}",
                status=error.resp.status,
                reason=reason,
                may_have_applied=unanswered or not _definitely_refused(error),
            ) from error
        except (TimeoutError, ConnectionError) as error:
            raise SourceError(f"{what}: {_describe(error)}", may_have_applied=True) from error

    def holds(self, product_id: str, sku_id: str, user: str) -> bool:
        def request(service: Any) -> Any:
            return service.licenseAssignments().get(
                productId=product_id, skuId=sku_id, userId=user, fields="skuId"
            )

        try:
            found = self._execute(request, "licenseAssignments.get")
        except SourceError as error:
            if error.status == 404:
                return False
            raise
        return bool(found.get("skuId", sku_id) == sku_id)

    def unassign(
        self, product_id: str, sku_id: str, user: str, send_until: datetime | None = None
    ) -> None:
        def request(service: Any) -> Any:
            return service.licenseAssignments().delete(
                productId=product_id, skuId=sku_id, userId=user
            )

        self._execute(request, "licenseAssignments.delete", send_until)

"""Who holds a customer's seats, from Google's Licensing, Directory and Reports APIs through
google-api-python-client (static discovery), with the Reseller client's delegated credentials
and retries. Locally RESELLER_API_ENDPOINT points all three at the simulator, which serves them
on one port (their paths differ: apps/licensing/v1, admin/directory/v1, admin/reports/v1)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from googleapiclient.errors import HttpError

from licence_manager.adapters.reseller import (
    _RATE_LIMIT_REASONS,
    _describe,
    error_reason,
    is_transient,
)
from licence_manager.adapters.reseller_client import delegated_credentials, discovery_document
from licence_manager.adapters.retry import RetryPolicy, call_with_retries
from licence_manager.config import WORKSPACE_SCOPES, Settings
from licence_manager.domain.holders import ActivityReport, Assignment, DirectoryUser
from licence_manager.domain.reclaim import parse_google_time
from licence_manager.observability import get_logger
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied, SeatHolderSource

log = get_logger(__name__)

ASSIGNMENTS_PAGE = 1000  # listForProduct's maximum
USERS_PAGE = 500  # users.list's maximum
REPORTS_PAGE = 1000  # userUsageReport.get's maximum
ACTIVITY_PARAMETERS = ("accounts:last_login_time", "accounts:last_sso_time")
# Only what the join needs crosses the wire (a basic-projection user is ~2 KB otherwise).
ASSIGNMENT_FIELDS = "nextPageToken,items(userId,productId,skuId)"
USER_FIELDS = "nextPageToken,users(id,primaryEmail,suspended,archived,creationTime,lastLoginTime)"
REPORT_FIELDS = (
    "nextPageToken,warnings(code,message),"
    "usageReports(entity(userEmail),parameters(name,datetimeValue))"
)
# UsageReports.warnings codes meaning "no data for that date yet": not a failure of ours, but
# nothing to judge activity on either.
NO_DATA_WARNINGS = frozenset({"DATA_NOT_AVAILABLE", "PARTIAL_DATA_AVAILABLE"})


@dataclass(frozen=True, slots=True)
class WorkspaceServices:
    licensing: Any
    directory: Any
    reports: Any


def build_workspace_services(settings: Settings) -> WorkspaceServices:
    """One googleapiclient Resource per API, sharing one Http (httplib2 is not thread-safe, so
    one set per thread). Google's endpoints with delegated credentials for WORKSPACE_SCOPES, or
    the local endpoint with none."""
    import httplib2
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build_from_document

    http: Any = httplib2.Http(timeout=settings.reseller_timeout_seconds)
    options: dict[str, str] = {}
    if settings.reseller_api_endpoint:
        options = {"api_endpoint": settings.reseller_api_endpoint}
    else:
        http = AuthorizedHttp(delegated_credentials(settings, WORKSPACE_SCOPES), http=http)

    def build(name: str) -> Any:
        return build_from_document(discovery_document(name), http=http, client_options=options)

    return WorkspaceServices(
        build("licensing.v1"), build("admin.directory_v1"), build("admin.reports_v1")
    )


class WorkspaceUsers(SeatHolderSource):
    """SeatHolderSource over the real APIs. `services_factory` builds a WorkspaceServices."""

    def __init__(
        self,
        services_factory: Callable[[], WorkspaceServices],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._factory = services_factory
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._local = threading.local()

    def _services(self) -> WorkspaceServices:
        if not hasattr(self._local, "services"):
            self._local.services = self._factory()
        services: WorkspaceServices = self._local.services
        return services

    def _execute(self, request: Callable[[WorkspaceServices], Any], api: str, what: str) -> Any:
        def on_retry(attempt: int, error: BaseException, wait: float) -> None:
            log.warning(
                "retrying Workspace API call",
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
            return call_with_retries(
                lambda: request(self._services()).execute(), self._retry, is_transient, **kwargs
            )
        except HttpError as error:
            reason = error_reason(error)
            if error.resp.status == 403 and reason not in _RATE_LIMIT_REASONS:
                # domainCannotUseApis or forbidden; any other 403 reason means the same to us.
                raise AdminApiAccessDenied(api, reason or "forbidden", _describe(error)) from error
            raise SourceError(
                f"{what}: {_describe(error)}", status=error.resp.status, reason=reason
            ) from error
        except (TimeoutError, ConnectionError) as error:
            raise SourceError(f"{what}: {_describe(error)}") from error

    def _pages(self, request: Callable[..., Any], api: str, what: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page: dict[str, Any] = self._execute(functools.partial(request, token=token), api, what)
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

    def assignments(self, customer: str, product_id: str) -> list[Assignment]:
        def request(services: WorkspaceServices, token: str | None) -> Any:
            return services.licensing.licenseAssignments().listForProduct(
                productId=product_id,
                customerId=customer,
                maxResults=ASSIGNMENTS_PAGE,
                fields=ASSIGNMENT_FIELDS,
                **_page_token(token),
            )

        return [
            Assignment(item["userId"], item.get("productId", product_id), item["skuId"])
            for page in self._pages(request, "licensing", "licenseAssignments.listForProduct")
            for item in page.get("items", [])
        ]

    def users(self, customer_id: str) -> list[DirectoryUser]:
        def request(services: WorkspaceServices, token: str | None) -> Any:
            return services.directory.users().list(
                customer=customer_id,
                projection="basic",
                maxResults=USERS_PAGE,
                fields=USER_FIELDS,
                **_page_token(token),
            )

        return [
            DirectoryUser(
                user_id=user["id"],
                email=user["primaryEmail"],
                suspended=bool(user.get("suspended", False)),
                archived=bool(user.get("archived", False)),
                created_at=parse_google_time(user.get("creationTime")),
                last_login=parse_google_time(user.get("lastLoginTime")),
            )
            for page in self._pages(request, "directory", "users.list")
            for user in page.get("users", [])
        ]

    def activity(self, customer_id: str, day: date) -> ActivityReport:
        def request(services: WorkspaceServices, token: str | None) -> Any:
            return services.reports.userUsageReport().get(
                userKey="all",
                date=day.isoformat(),
                customerId=customer_id,
                parameters=",".join(ACTIVITY_PARAMETERS),
                maxResults=REPORTS_PAGE,
                fields=REPORT_FIELDS,
                **_page_token(token),
            )

        found: dict[str, datetime | None] = {}
        for page in self._pages(request, "reports", "userUsageReport.get"):
            reports = page.get("usageReports", [])
            warnings = {w.get("code", "") for w in page.get("warnings", [])}
            if not reports and warnings & NO_DATA_WARNINGS:
                raise SourceError(
                    f"userUsageReport.get: no data for {day.isoformat()} yet",
                    reason="dataNotAvailable",
                )
            for report in reports:
                email = (report.get("entity") or {}).get("userEmail", "")
                if email:
                    found[email.strip().lower()] = _latest(report.get("parameters", []))
        return ActivityReport(day, found)


def _page_token(token: str | None) -> dict[str, str]:
    return {"pageToken": token} if token else {}


def _latest(parameters: list[dict[str, Any]]) -> datetime | None:
    """The latest of the report's login and SSO times; None when neither was ever."""
    times = [
        parse_google_time(p.get("datetimeValue"))
        for p in parameters
        if p.get("name") in ACTIVITY_PARAMETERS
    ]
    return max((t for t in times if t is not None), default=None)

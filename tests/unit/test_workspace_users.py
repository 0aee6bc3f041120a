"""The real seat-holder adapter through google-api-python-client, on canned HTTP answers
(HttpMockSequence), until the simulator's Admin API routes arrive (tests/contract): the
requests it sends (paths, paging, fields), what it makes of the answers, and the 403s."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from googleapiclient.discovery import build_from_document
from googleapiclient.http import HttpMockSequence

from licence_manager.adapters.reseller_client import discovery_document
from licence_manager.adapters.retry import RetryPolicy
from licence_manager.adapters.workspace_users import WorkspaceServices, WorkspaceUsers
from licence_manager.ports import SourceError
from licence_manager.ports.holders import AdminApiAccessDenied

OK = {"status": "200"}


def error(status: int, reason: str) -> tuple[dict[str, str], str]:
    body = {"error": {"code": status, "message": reason, "errors": [{"reason": reason}]}}
    return {"status": str(status)}, json.dumps(body)


class Recorded(HttpMockSequence):  # type: ignore[misc]
    """Canned answers in order; the URIs asked are kept."""

    def __init__(self, answers: list[tuple[dict[str, str], Any]]) -> None:
        super().__init__([(h, b if isinstance(b, str) else json.dumps(b)) for h, b in answers])
        self.uris: list[str] = []

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        self.uris.append(uri)
        return super().request(uri, *args, **kwargs)


def adapter(answers: list[tuple[dict[str, str], Any]]) -> tuple[WorkspaceUsers, Recorded]:
    http = Recorded(answers)

    def build(name: str) -> Any:
        return build_from_document(discovery_document(name), http=http)

    services = WorkspaceServices(
        build("licensing.v1"), build("admin.directory_v1"), build("admin.reports_v1")
    )
    sleeps: list[float] = []
    return WorkspaceUsers(lambda: services, RetryPolicy(max_attempts=3), sleeps.append), http


def query(uri: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(uri).query)


def test_assignments_follow_pages_of_1000_with_only_the_fields_needed() -> None:
    page1 = {
        "items": [{"userId": "a@x.example", "productId": "Google-Apps", "skuId": "1010020027"}],
        "nextPageToken": "t2",
    }
    page2 = {
        "items": [{"userId": "b@x.example", "productId": "Google-Apps", "skuId": "1010020028"}]
    }
    source, http = adapter([(OK, page1), (OK, page2)])
    found = source.assignments("x.example", "Google-Apps")
    assert [(a.email, a.sku_id) for a in found] == [
        ("a@x.example", "1010020027"),
        ("b@x.example", "1010020028"),
    ]
    first, second = http.uris
    assert urlparse(first).path == "/apps/licensing/v1/product/Google-Apps/users"
    assert query(first)["customerId"] == ["x.example"]
    assert query(first)["maxResults"] == ["1000"]
    assert query(first)["fields"] == ["nextPageToken,items(userId,productId,skuId)"]
    assert "pageToken" not in query(first) and query(second)["pageToken"] == ["t2"]


def test_users_by_customer_id_with_the_1970_never_value_as_none() -> None:
    page = {
        "users": [
            {
                "id": "1",
                "primaryEmail": "a@x.example",
                "suspended": True,
                "creationTime": "2024-05-01T12:00:00.000Z",
                "lastLoginTime": "1970-01-01T00:00:00.000Z",
            }
        ]
    }
    source, http = adapter([(OK, page)])
    [user] = source.users("C0123")
    assert (user.user_id, user.suspended, user.archived, user.last_login) == (
        "1",
        True,
        False,
        None,
    )
    assert user.created_at == datetime(2024, 5, 1, 12, tzinfo=UTC)
    asked = query(http.uris[0])
    assert urlparse(http.uris[0]).path == "/admin/directory/v1/users"
    assert (asked["customer"], asked["projection"], asked["maxResults"]) == (
        ["C0123"],
        ["basic"],
        ["500"],
    )
    assert "lastLoginTime" in asked["fields"][0]


def test_activity_takes_the_latest_of_login_and_sso() -> None:
    page = {
        "usageReports": [
            {
                "entity": {"userEmail": "A@x.example"},
                "parameters": [
                    {
                        "name": "accounts:last_login_time",
                        "datetimeValue": "2026-11-10T08:00:00.000Z",
                    },
                    {"name": "accounts:last_sso_time", "datetimeValue": "2026-11-16T08:00:00.000Z"},
                ],
            },
            {
                "entity": {"userEmail": "b@x.example"},
                "parameters": [
                    {
                        "name": "accounts:last_login_time",
                        "datetimeValue": "1970-01-01T00:00:00.000Z",
                    }
                ],
            },
        ]
    }
    source, http = adapter([(OK, page)])
    report = source.activity("C0123", date(2026, 11, 17))
    assert report.as_of == date(2026, 11, 17)
    assert report.last_activity == {
        "a@x.example": datetime(2026, 11, 16, 8, tzinfo=UTC),
        "b@x.example": None,
    }
    assert urlparse(http.uris[0]).path == "/admin/reports/v1/usage/users/all/dates/2026-11-17"
    assert query(http.uris[0])["parameters"] == ["accounts:last_login_time,accounts:last_sso_time"]


def test_a_report_not_ready_yet_is_a_source_error() -> None:
    page = {"warnings": [{"code": "DATA_NOT_AVAILABLE", "message": "try later"}]}
    source, _ = adapter([(OK, page)])
    with pytest.raises(SourceError, match="no data"):
        source.activity("C0123", date(2026, 11, 17))


@pytest.mark.parametrize("reason", ["domainCannotUseApis", "forbidden"])
def test_403_is_access_denied_naming_the_api(reason: str) -> None:
    source, http = adapter([error(403, reason)])
    with pytest.raises(AdminApiAccessDenied) as denied:
        source.users("C0123")
    assert (denied.value.api, denied.value.reason, denied.value.status) == (
        "directory",
        reason,
        403,
    )
    assert len(http.uris) == 1  # not retried


def test_transient_failures_are_retried_and_rate_limits_are_not_access_denied() -> None:
    source, http = adapter([error(503, "backendError"), error(403, "rateLimitExceeded"), (OK, {})])
    assert source.assignments("x.example", "Google-Vault") == []
    assert len(http.uris) == 3

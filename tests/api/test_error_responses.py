"""Issue 10 item 13 (API part, review finding 12): inputs that answered 500, and errors that
could answer with an HTML page. Every error is application/problem+json, through the function
entry point as well as through Flask's own WSGI handling."""

from __future__ import annotations

from typing import Any

import flask
import pytest
from werkzeug.test import EnvironBuilder

from licence_manager import bootstrap
from licence_manager.entrypoints import serve_http
from tests.api.conftest import ACME, ADMIN, STANDARD, Api, build_api

REPORT = f"/api/v1/customers/{ACME}/licences/{STANDARD}/report"


def through_the_entry_point(
    api: Api, monkeypatch: pytest.MonkeyPatch, path: str, method: str = "GET"
) -> Any:
    """As functions/api/main.py serves a request: the API app's full_dispatch_request, without
    Flask's WSGI-level handler for unhandled exceptions."""
    monkeypatch.setattr(bootstrap, "api_app", lambda: api.app)
    environ = EnvironBuilder(path=path, method=method, headers=api.headers(ADMIN)).get_environ()
    return serve_http(flask.Request(environ))


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-31&to=9999-12-31",
        "from=9999-12-30&to=9999-12-31",
        "from=0001-01-01&to=0001-01-02",
        "from=1999-12-31&to=2000-01-02",
        "from=2100-12-01&to=2101-01-01",
    ],
)
def test_report_dates_outside_2000_to_2100_answer_400(api: Api, query: str) -> None:
    body = assert_problem(api.call("GET", f"{REPORT}?{query}"), 400)
    assert "2000-01-01" in body["detail"] and "2100-12-31" in body["detail"]


@pytest.mark.parametrize(
    "query", ["from=2000-01-01&to=2000-01-31", "from=2100-12-01&to=2100-12-31&granularity=week"]
)
def test_report_dates_at_the_edges_are_served(api: Api, query: str) -> None:
    assert api.call("GET", f"{REPORT}?{query}").status_code == 200


def test_an_unexpected_error_answers_problem_json_through_the_entry_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = build_api()

    def broken(customer_id: str) -> Any:
        raise RuntimeError("internal detail that must not reach the browser")

    monkeypatch.setattr(api.store, "licences_of", broken)
    response = through_the_entry_point(api, monkeypatch, f"/api/v1/customers/{ACME}/licences")
    body = assert_problem(response, 500)
    assert "internal detail" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # security headers too


def test_an_unexpected_error_answers_problem_json_through_wsgi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = build_api()
    api.app.testing = False
    api.app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(api.store, "licences_of", lambda _customer: 1 / 0)
    assert_problem(api.call("GET", f"/api/v1/customers/{ACME}/licences"), 500)


def test_an_unknown_route_answers_problem_json(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_problem(api.call("GET", "/api/v1/nothing-here"), 404)
    assert_problem(through_the_entry_point(api, monkeypatch, "/api/v1/nothing-here"), 404)


def test_a_wrong_method_answers_problem_json_and_says_what_is_allowed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"/api/v1/customers/{ACME}/licences/{STANDARD}/settings"
    response = api.call("DELETE", path)
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT"}
    assert_problem(through_the_entry_point(api, monkeypatch, path, "DELETE"), 405)

"""Query inputs that once crashed the API (security review #12): each must be a 400 problem,
never a 500, and a month outside the years the product can bill answers 400 too."""

from __future__ import annotations

import pytest

from tests.api.conftest import ACME, Api, build_api

BASE = f"/api/v1/customers/{ACME}"


@pytest.fixture
def api() -> Api:
    built = build_api()
    # Crashes must surface as the 500 a client would get, not as a test-time exception.
    built.app.testing = False
    built.app.config["PROPAGATE_EXCEPTIONS"] = False
    return built


@pytest.mark.parametrize("route", ["logs", "notifications"])
@pytest.mark.parametrize("limit", ["\u00b2", "\u0661", "\uff15", "-1", "1.5", "0"])
def test_a_limit_that_is_not_plain_ascii_digits_in_range_is_a_400_problem(
    api: Api, route: str, limit: str
) -> None:
    """'²'.isdigit() is True but int('²') raises; other scripts' digits parse: refuse both."""
    response = api.call("GET", f"{BASE}/{route}", query_string={"limit": limit})

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "limit" in response.get_json()["errors"]


@pytest.mark.parametrize("route", ["logs", "notifications"])
def test_a_plain_limit_still_works(api: Api, route: str) -> None:
    assert api.call("GET", f"{BASE}/{route}?limit=5").status_code == 200


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01"])
def test_a_month_outside_2000_to_2100_is_a_400_problem(api: Api, month: str) -> None:
    response = api.call("GET", f"{BASE}/additions?month={month}")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "2000-01" in response.get_json()["detail"]


@pytest.mark.parametrize("month", ["2000-01", "2026-10", "2100-12"])
def test_months_at_and_inside_the_bounds_are_answered(api: Api, month: str) -> None:
    response = api.call("GET", f"{BASE}/additions?month={month}")

    assert response.status_code == 200
    assert response.get_json()["month"] == month

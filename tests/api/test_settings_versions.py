"""Two people saving one licence's settings: the GET says which version it shows, a PUT sends
it back, and a PUT from a version someone has saved over answers 409 with their settings."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.model import LicenceKey
from tests.api.conftest import ACME, ADMIN, OPS, STANDARD, Api

PATH = f"/api/v1/customers/{ACME}/licences/{STANDARD}/settings"


def changed(answer: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {**answer, **values}


def test_the_get_names_its_version_and_a_put_from_it_goes_through(api: Api) -> None:
    opened = api.call("GET", PATH).get_json()
    assert "version" in opened  # null: never saved
    response = api.call("PUT", PATH, json=changed(opened, lowLicenceAlert=False))
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["version"] and saved["version"] != opened["version"]
    assert saved["updatedBy"] == ADMIN
    assert api.call("GET", PATH).get_json()["version"] == saved["version"]
    again = api.call("PUT", PATH, json=saved)
    assert again.status_code == 200, again.get_json()


def test_a_put_over_someone_elses_save_is_refused_with_theirs(api: Api) -> None:
    mine = api.call("GET", PATH).get_json()
    theirs = api.call(
        "PUT", PATH, OPS, json=changed(mine, lowLicenceAlert=True, alertVacantAtOrBelow=4)
    ).get_json()
    audit_before = len(api.store.audit_entries(LicenceKey(ACME, STANDARD)))
    response = api.call(
        "PUT", PATH, json=changed(mine, lowLicenceAlert=True, alertVacantAtOrBelow=1)
    )
    assert response.status_code == 409
    problem = response.get_json()
    assert OPS in problem["detail"] and "after you opened them" in problem["detail"]
    assert problem["current"]["version"] == theirs["version"]
    assert problem["current"]["alertVacantAtOrBelow"] == 4
    assert problem["current"]["updatedBy"] == OPS
    assert len(api.store.audit_entries(LicenceKey(ACME, STANDARD))) == audit_before
    assert api.call("GET", PATH).get_json()["alertVacantAtOrBelow"] == 4


def test_a_version_that_is_not_one_is_a_field_error(api: Api) -> None:
    opened = api.call("GET", PATH).get_json()
    response = api.call("PUT", PATH, json=changed(opened, version="yesterday"))
    assert response.status_code == 422
    assert "version" in response.get_json()["errors"]

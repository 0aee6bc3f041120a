"""The anomaly guard through the api: My Licences' rows show a pause, customer admins and
reseller ops resume it (audited, 409 once lifted) and change the thresholds (validated,
audited); account managers only read; other tenants get 404."""

from __future__ import annotations

from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction
from licence_manager.domain.model import LicenceKey
from tests.api.conftest import ACME, ADMIN, MANAGER, OPS, OTHER_ADMIN, STANDARD, Api, observe

POLICY = f"/api/v1/customers/{ACME}/anomaly-policy"
RESUME = f"/api/v1/customers/{ACME}/licences/{STANDARD}/resume-top-ups"
LICENCES = f"/api/v1/customers/{ACME}/licences"
KEY = LicenceKey(ACME, STANDARD)


def _row(api: Api) -> dict[str, object]:
    rows = api.call("GET", LICENCES, ADMIN).get_json()
    row: dict[str, object] = next(r for r in rows if r["skuId"] == STANDARD)
    return row


def _pause(api: Api) -> None:
    """Lower the thresholds, then a sync records two more users (8 → 10)."""
    assert api.call("PUT", POLICY, ADMIN, json={"minUsers": 1, "minPercent": 1}).status_code == 200
    observe(api.store, customer_id=ACME, domain="acme.example", sku_id=STANDARD, total=10,
            assigned=10)  # fmt: skip


def test_the_defaults_are_read_by_everyone_who_sees_the_customer(api: Api) -> None:
    for email, may_change in ((ADMIN, True), (MANAGER, False), (OPS, True)):
        body = api.call("GET", POLICY, email).get_json()
        assert (body["minUsers"], body["minPercent"], body["canChange"]) == (10, 20, may_change)
    assert api.call("GET", POLICY, OTHER_ADMIN).status_code == 404


def test_thresholds_are_validated_and_changes_audited(api: Api) -> None:
    for body in (
        {"minUsers": 0, "minPercent": 20},
        {"minUsers": 10},
        {"minUsers": 10, "minPercent": 20, "colour": 1},
        ["x"],
        {"minUsers": "10", "minPercent": 20},
    ):
        response = api.call("PUT", POLICY, ADMIN, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"], body
    assert (
        api.call("PUT", POLICY, MANAGER, json={"minUsers": 5, "minPercent": 5}).status_code == 403
    )
    saved = api.call("PUT", POLICY, OPS, json={"minUsers": 5, "minPercent": 15}).get_json()
    assert (saved["minUsers"], saved["minPercent"], saved["changedBy"]) == (5, 15, OPS)
    (entry,) = api.store.audit_page(ACME, CUSTOMER_SCOPE, 5, None).entries
    assert entry.action is AuditAction.ANOMALY_POLICY_CHANGED and entry.actor == OPS


def test_a_paused_row_says_why_and_an_admin_resumes_it_once(api: Api) -> None:
    assert _row(api)["topUpsPaused"] is None
    _pause(api)
    paused = _row(api)["topUpsPaused"]
    assert isinstance(paused, dict)
    assert (paused["rise"], paused["assignedFrom"], paused["assignedTo"]) == (2, 8, 10)
    assert "Automatic top-ups are paused" in paused["words"]
    assert api.call("POST", RESUME, MANAGER).status_code == 403
    assert api.call("POST", RESUME.replace(ACME, "C02globex"), ADMIN).status_code == 404
    assert api.call("POST", RESUME.replace(STANDARD, "999"), ADMIN).status_code == 409
    resumed = api.call("POST", RESUME, ADMIN)
    assert resumed.status_code == 200, resumed.get_json()
    assert resumed.get_json()["pause"]["rise"] == 2
    assert _row(api)["topUpsPaused"] is None
    again = api.call("POST", RESUME, ADMIN)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    actions = [(e.action, e.actor) for e in api.store.audit_entries(KEY)]
    assert (AuditAction.TOP_UPS_PAUSED, "anomaly guard") in actions
    assert (AuditAction.TOP_UPS_RESUMED, ADMIN) in actions


def test_saving_the_settings_does_not_resume(api: Api) -> None:
    _pause(api)
    settings = api.call("GET", f"{LICENCES}/{STANDARD}/settings", ADMIN).get_json()
    body = {k: v for k, v in settings.items() if k not in ("version", "updatedBy", "updatedAt")}
    saved = api.call("PUT", f"{LICENCES}/{STANDARD}/settings", ADMIN, json=body)
    assert saved.status_code == 200, saved.get_json()
    assert _row(api)["topUpsPaused"] is not None
    assert api.call("POST", RESUME, OPS).status_code == 200  # reseller ops may resume too

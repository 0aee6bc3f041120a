"""The OpenAPI document against the code: it names exactly the routes the app serves, is a valid
OpenAPI 3.1 document, and real responses of every route match its schemas."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from licence_manager.api.openapi import LOCAL_ONLY, PROVIDED_ELSEWHERE, document
from tests.api.conftest import ACME, GLOBEX, OPS, SETTINGS_OFF, STANDARD, Api, build_api
from tests.api.test_reclaim_api import seed as seed_reclaim
from tests.api.test_savings_api import seed as seed_savings


def app_operations(api: Api) -> set[tuple[str, str]]:
    found = set()
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + _camel(m.group(1)) + "}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def doc_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


@pytest.mark.parametrize("local_mode", [True, False])
def test_the_document_names_exactly_the_routes_the_app_serves(local_mode: bool) -> None:
    api = build_api(local_mode=local_mode)
    served = app_operations(api)
    doc = api.client().get("/api/v1/openapi.json").get_json()
    documented = doc_operations(doc)
    # issue 4's report routes are documented here and served by its own blueprint once that is
    # registered: until then they are the only documented routes allowed to be missing.
    pending = {(p, m) for p, m in documented if p in PROVIDED_ELSEWHERE and (p, m) not in served}
    assert served == documented - pending
    assert ("/api/v1/session", "post") in documented if local_mode else True
    assert not local_mode or documented >= LOCAL_ONLY


def test_path_parameters_match_the_routes() -> None:
    for path, item in document()["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)


def test_the_document_is_valid_openapi() -> None:
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    jsonschema.Draft202012Validator(OPENAPI_31).validate(document())


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    resource = DRAFT202012.create_resource(document())
    registry: Registry = Registry().with_resource("urn:doc", resource)
    return jsonschema.Draft202012Validator(_rebase(schema), registry=registry)


def _rebase(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: ("urn:doc" + v if k == "$ref" and v.startswith("#/") else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def check(api: Api, method: str, path: str, template: str, **kwargs: Any) -> Any:
    response = api.call(method, path, OPS, **kwargs)
    op = document()["paths"][template][method.lower()]
    spec = op["responses"].get(str(response.status_code))
    assert spec is not None, f"{method} {path}: {response.status_code} is not documented"
    if "content" in spec:
        (media, content), *_ = spec["content"].items()
        assert response.mimetype == media, (method, path)
        _validator(content["schema"]).validate(response.get_json())
    return response


def test_real_responses_match_the_documented_schemas() -> None:
    api = build_api()
    c = f"/api/v1/customers/{ACME}"
    t = "/api/v1/customers/{customerId}"
    lic = f"{t}/licences/{{skuId}}"
    check(api, "GET", "/api/v1/me", "/api/v1/me")
    check(api, "GET", "/api/v1/customers", "/api/v1/customers")
    check(api, "GET", "/api/v1/catalogue", "/api/v1/catalogue")
    check(api, "GET", f"{c}/catalogue", f"{t}/catalogue")
    check(api, "GET", f"{c}/licences", f"{t}/licences")
    check(api, "GET", f"{c}/licences/{STANDARD}/settings", f"{lic}/settings")
    check(api, "PUT", f"{c}/licences/{STANDARD}/settings", f"{lic}/settings", json={"autoTopUp": 1})
    check(api, "PUT", f"{c}/licences/{STANDARD}/settings", f"{lic}/settings", json=SETTINGS_OFF)
    added = check(
        api, "POST", f"{c}/licences/{STANDARD}/additions", f"{lic}/additions", json={"seats": 2}
    ).get_json()
    check(
        api,
        "GET",
        f"{c}/licences/{STANDARD}/additions/{added['id']}",
        f"{lic}/additions/{{requestId}}",
    )
    bought = check(
        api,
        "POST",
        f"{c}/purchases",
        f"{t}/purchases",
        json={"skuId": "1010020025", "planName": "TRIAL", "seats": 5},
    ).get_json()
    check(api, "GET", f"{c}/purchases/{bought['id']}", f"{t}/purchases/{{requestId}}")
    check(api, "GET", f"{c}/logs?limit=2", f"{t}/logs")
    check(api, "GET", f"{c}/notifications", f"{t}/notifications")
    check(api, "GET", f"{c}/recipients", f"{t}/recipients")
    check(api, "POST", f"{c}/recipients", f"{t}/recipients", json={"email": "x@acme.example"})
    check(api, "PUT", f"{c}/recipients/x@acme.example", f"{t}/recipients/{{email}}", json={})
    check(api, "DELETE", f"{c}/recipients/x@acme.example", f"{t}/recipients/{{email}}")
    check(api, "GET", f"{c}/licences/999/settings", f"{lic}/settings")
    check(api, "GET", f"{c}/time-zone", f"{t}/time-zone")
    check(api, "PUT", f"{c}/time-zone", f"{t}/time-zone", json={"timeZone": "Asia/Tokyo"})
    check(api, "PUT", f"{c}/time-zone", f"{t}/time-zone", json={"timeZone": "Nowhere"})
    seed_reclaim(api)
    check(api, "GET", f"{c}/licences", f"{t}/licences")
    check(api, "GET", f"{c}/reclaim?limit=2", f"{t}/reclaim")
    check(api, "GET", f"{c}/reclaim?cursor=nope", f"{t}/reclaim")
    check(api, "GET", f"{c}/reclaim-policy", f"{t}/reclaim-policy")
    check(api, "PUT", f"{c}/reclaim-policy", f"{t}/reclaim-policy", json={"inactiveDays": 30})
    check(api, "PUT", f"{c}/reclaim-policy", f"{t}/reclaim-policy", json={"inactiveDays": 3})
    check(api, "GET", f"/api/v1/customers/{GLOBEX}/reclaim", f"{t}/reclaim")
    seed_savings(api)
    check(api, "GET", f"{c}/savings?month=2026-12", f"{t}/savings")
    check(api, "GET", f"{c}/savings?month=2026-13", f"{t}/savings")
    check(api, "GET", f"{c}/savings/this-month", f"{t}/savings/this-month")
    session = api.client().post("/api/v1/session", json={"email": OPS})
    _validator(document()["components"]["schemas"]["Session"]).validate(session.get_json())

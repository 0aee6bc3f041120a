"""Schemathesis against the app, from its own OpenAPI document: generated requests to every
operation (valid and invalid ones), signed in as reseller ops on a real customer most of the
time. No 5xx, and every response conforms to the document (status code, content type,
schema)."""

from __future__ import annotations

import random
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.conftest import ACME, OPS, STANDARD, build_api

API = build_api()
TOKEN = API.token(OPS)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", API.app)
REAL = {"customerId": ACME, "skuId": STANDARD, "email": "it@acme.example"}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi_document(case: Any) -> None:
    chance = random.Random(repr(case.path_parameters))
    for name, value in REAL.items():
        if case.path_parameters and name in case.path_parameters and chance.random() < 0.8:
            case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)

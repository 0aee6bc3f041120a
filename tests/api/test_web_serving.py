"""Security headers on every response (the api locally, Firebase Hosting in production: the two
agree), and the built web app served locally as a single-page app."""

from __future__ import annotations

import re
from pathlib import Path

from licence_manager.api.web import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from tests.api.conftest import build_api
from tests.infra.terraform import locals_


def test_every_response_carries_the_security_headers(tmp_path: Path) -> None:
    api = build_api()
    for response in (
        api.client().get("/api/v1/openapi.json"),
        api.call("GET", "/api/v1/me"),
        api.client().get("/api/v1/me"),  # 401
    ):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert response.headers["Cache-Control"] == "no-store"


def test_the_policy_allows_no_inline_script_and_no_framing() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"].startswith("'self'")
    assert directives["object-src"] == "'none'"


def test_firebase_hosting_sends_the_same_headers() -> None:
    hosting = locals_()
    policy = hosting["content_security_policy"]
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', policy.split("[", 1)[1])
    assert "; ".join(parts) == CONTENT_SECURITY_POLICY
    firebase = hosting["firebase_json"]
    text = str(firebase)
    for name, value in SECURITY_HEADERS.items():
        assert name in text, name
        if name != "Content-Security-Policy":
            assert value in text, name
    assert "${local.content_security_policy}" in text


def test_the_built_web_app_is_served_with_index_fallback(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>LM</title>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    api = build_api(web_root=tmp_path)
    client = api.client()
    index = client.get("/")
    assert index.status_code == 200 and b"<title>LM</title>" in index.data
    assert index.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert client.get("/reports").data == index.data  # the app routes in the browser
    script = client.get("/assets/app-1234.js")
    assert script.mimetype in ("text/javascript", "application/javascript")
    assert "immutable" in script.headers["Cache-Control"]
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/../pyproject.toml").status_code == 404
    assert client.get("/api/v1/nothing").status_code in (401, 404)

"""Alert channels through the api: added with a URL that is never answered back (masked), the
same per-type choices as an email recipient, a test message, and another tenant kept out."""

from __future__ import annotations

from typing import Any

import pytest

from licence_manager.domain.audit import CUSTOMER_SCOPE, AuditAction, verify_chain
from licence_manager.domain.channels import Channel
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import NotificationType
from licence_manager.ports.channels import PostInDoubt
from tests.api.conftest import ACME, ADMIN, GLOBEX, OTHER_ADMIN, Api, build_api
from tests.fakes.channels import MemoryChannelStore

BASE = f"/api/v1/customers/{ACME}"
CHAT_URL = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEYSECRET&token=TOKSECRET"


@pytest.fixture
def world() -> tuple[Api, MemoryChannelStore, list[Channel]]:
    store = MemoryChannelStore()
    trials: list[Channel] = []
    api = build_api(channels=lambda: store, post_trial=trials.append)
    return api, store, trials


def _add(api: Api, **body: Any) -> Any:
    return api.call(
        "POST",
        f"{BASE}/channels",
        json={"kind": "google_chat", "name": "Ops", "url": CHAT_URL, **body},
    )


def test_a_chat_channel_is_added_and_its_url_never_answered(world: Any) -> None:
    api, store, _ = world
    added = _add(api)
    assert added.status_code == 201, added.get_json()
    listed = api.call("GET", f"{BASE}/channels")
    for response in (added, listed):
        text = response.get_data(as_text=True)
        assert "KEYSECRET" not in text and "TOKSECRET" not in text
    (shown,) = listed.get_json()
    assert shown["urlMasked"].startswith("https://chat.googleapis.com/")
    assert shown["notifications"]["lowLicences"] is True
    assert "signingSecret" not in added.get_json()
    (kept,) = store.channels(ACME)
    assert kept.url == CHAT_URL  # the store has it (sealed in Firestore), nobody else


def test_a_webhook_shows_its_signing_secret_once(world: Any) -> None:
    api, _, _ = world
    added = api.call(
        "POST",
        f"{BASE}/channels",
        json={"kind": "webhook", "name": "SIEM", "url": "https://siem.acme.example/in"},
    )
    assert added.status_code == 201
    secret = added.get_json()["signingSecret"]
    assert secret.startswith("lmsec_")
    assert secret not in api.call("GET", f"{BASE}/channels").get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "slack"}, "url"),  # a Chat URL is not a Slack hook
        ({"kind": "carrier_pigeon"}, "kind"),
        ({"url": "http://chat.googleapis.com/v1/spaces/A/messages"}, "url"),
        ({"name": ""}, "name"),
        ({"notifications": {"lowLicences": "yes"}}, "notifications.lowLicences"),
    ],
)
def test_invalid_channels_are_refused_per_field(
    world: Any, body: dict[str, Any], field: str
) -> None:
    api, store, _ = world
    response = _add(api, **body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert store.channels(ACME) == []


def test_choices_are_changed_like_an_email_recipients(world: Any) -> None:
    api, store, _ = world
    channel_id = _add(api).get_json()["id"]
    changed = api.call(
        "PUT", f"{BASE}/channels/{channel_id}", json={"notifications": {"lowLicences": False}}
    )
    assert changed.status_code == 200
    assert changed.get_json()["notifications"]["lowLicences"] is False
    (kept,) = store.channels(ACME)
    assert NotificationType.LOW_LICENCES not in kept.wants
    assert NotificationType.TOP_UP_APPLIED in kept.wants
    assert api.call("DELETE", f"{BASE}/channels/{channel_id}").status_code == 204
    assert store.channels(ACME) == []
    assert api.call("DELETE", f"{BASE}/channels/{channel_id}").status_code == 404


def test_a_test_message_is_posted_and_an_unclear_answer_said_so(world: Any) -> None:
    api, _store, trials = world
    channel_id = _add(api).get_json()["id"]
    posted = api.call("POST", f"{BASE}/channels/{channel_id}/test")
    assert posted.status_code == 200 and [c.channel_id for c in trials] == [channel_id]

    def in_doubt(_channel: Channel) -> None:
        raise PostInDoubt("Google Chat answered 500; it may have been posted")

    api.app.config["POST_TRIAL"] = in_doubt
    answer = api.call("POST", f"{BASE}/channels/{channel_id}/test")
    assert answer.status_code == 504
    assert "KEYSECRET" not in answer.get_data(as_text=True)


def test_another_customers_admin_cannot_see_or_add_channels(world: Any) -> None:
    api, store, _ = world
    _add(api)
    assert api.call("GET", f"{BASE}/channels", email=OTHER_ADMIN).status_code == 404
    assert _add_as(api, OTHER_ADMIN).status_code == 404
    assert store.channels(GLOBEX) == [] and len(store.channels(ACME)) == 1


def _add_as(api: Api, email: str) -> Any:
    body = {"kind": "google_chat", "name": "x", "url": CHAT_URL}
    return api.call("POST", f"{BASE}/channels", email=email, json=body)


def test_without_a_channel_key_channels_are_unavailable() -> None:
    api = build_api(channels=None)
    assert api.call("GET", f"{BASE}/channels").status_code == 503


def test_adding_changing_and_removing_a_channel_is_audited_without_its_url() -> None:
    api = build_api()  # the channel store joins the dashboard store's audit chains
    added = _add(api, notifications={"monthEndReport": False})
    assert added.status_code == 201
    channel = f"{BASE}/channels/{added.get_json()['id']}"
    renamed = api.call("PUT", channel, json={"name": "Ops team"})
    assert renamed.status_code == 200
    assert api.call("DELETE", channel).status_code == 204
    assert api.call("DELETE", channel).status_code == 404  # nothing removed: nothing audited
    chain = api.store.audit_entries(LicenceKey(ACME, CUSTOMER_SCOPE))
    assert [(e.action, e.actor) for e in chain] == [
        (AuditAction.RECIPIENT_ADDED, ADMIN),
        (AuditAction.RECIPIENT_CHANGED, ADMIN),
        (AuditAction.RECIPIENT_REMOVED, ADMIN),
    ]
    assert "Google Chat channel Ops (https://chat.googleapis.com/…" in chain[0].message
    assert "month-end report" not in chain[0].message
    assert "After: Google Chat channel Ops team" in chain[1].message
    assert verify_chain(chain) == []
    logged = api.call("GET", f"{BASE}/logs?skuId={CUSTOMER_SCOPE}").get_data(as_text=True)
    assert "Ops team" in logged
    assert all(secret not in logged for secret in ("KEYSECRET", "TOKSECRET", CHAT_URL))
    assert all("KEYSECRET" not in e.message and "TOKSECRET" not in e.message for e in chain)

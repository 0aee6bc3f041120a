"""A receiver written only from docs/webhooks.md verifies what Licence Manager sends: the code
below is the document's own example, read out of the file, not our signing module."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from licence_manager.adapters.webhook_sender import WebhookSender
from licence_manager.domain.channels import Channel, ChannelKind
from licence_manager.domain.webhook_signature import new_secret, sign
from licence_manager_local.channel_standins import start_channel_standin

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def receiver_from_docs() -> Any:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None, "docs/webhooks.md lost its Python receiver"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    return namespace["verified"]


def test_the_documented_receiver_accepts_our_signature_and_refuses_tampering() -> None:
    verified = receiver_from_docs()
    secret = new_secret()
    with start_channel_standin() as standin:
        channel = Channel(
            "C01", "w", ChannelKind.WEBHOOK, "hook", standin.webhook_url("r"), signing_secret=secret
        )
        captured: dict[str, Any] = {}
        original = standin.app._post

        def capture(request: Any) -> Any:
            captured["header"] = request.headers.get("Licence-Manager-Signature", "")
            captured["body"] = request.get_data()
            return original(request)

        standin.app._post = capture  # type: ignore[method-assign]
        WebhookSender().post(channel, b'{"type":"licence_manager.test","text":"hi"}')
    header, body = captured["header"], captured["body"]
    assert verified(secret, header, body)
    assert not verified(secret, header, body + b" ")
    assert not verified("lmsec_other", header, body)
    stamp = int(re.search(r"t=(\d+)", header).group(1))  # type: ignore[union-attr]
    assert abs(stamp - time.time()) < 5
    # Correctly signed, but outside the replay window: refused all the same.
    assert verified(secret, sign(secret, body, stamp - 290), body)
    assert not verified(secret, sign(secret, body, stamp - 310), body)

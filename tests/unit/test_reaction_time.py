"""The reaction-time metric's clock (docs/operations.md): an automatic top-up request remembers
when the sync saw the figures it was decided on (`observedAt`, the licence's updatedAt), its
document keeps it, and apply_topup's outcome record says how long it took to the seats changed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from licence_manager.adapters.automation_codec import request_from_doc, request_to_doc
from licence_manager.domain.topup import RequestStatus
from tests.automation_harness import Stack, flexible, restore_policy


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    root = logging.getLogger("licence_manager")
    handler = Keep()
    root.addHandler(handler)
    yield seen
    root.removeHandler(handler)


def decided(stack: Stack) -> str:
    stack.evaluate(stack.key)
    [message] = [m for m in stack.bus.pending if m.kind == "top_up"]
    stack.bus.pending.remove(message)
    return message.ref


def test_an_automatic_request_remembers_when_its_figures_were_seen() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy(trigger=2, target=4))
    seen_at = stack.store.licences[stack.key].updated_at
    stack.advance(30)
    request = stack.store.requests[decided(stack)]
    assert request.observed_at == seen_at
    assert request.created_at == seen_at + timedelta(seconds=30)


def test_the_request_document_keeps_it_and_older_documents_have_none() -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy(trigger=2, target=4))
    request = stack.store.requests[decided(stack)]
    document = request_to_doc(request)
    assert document["observedAt"] == request.observed_at
    assert request_from_doc(document) == request
    del document["observedAt"]
    assert request_from_doc(document).observed_at is None


def test_apply_topup_logs_the_reaction_time_of_an_automatic_top_up(
    records: list[logging.LogRecord],
) -> None:
    stack = Stack(flexible(total=10, assigned=9), restore_policy(trigger=2, target=4))
    stack.advance(30)
    request_id = decided(stack)
    stack.advance(45)
    stack.apply(request_id)
    assert stack.store.requests[request_id].status is RequestStatus.APPLIED
    [finished] = [r for r in records if r.getMessage() == "top-up request finished"]
    assert vars(finished)["reactionSeconds"] == 75.0
    assert vars(finished)["outcome"] == "APPLIED"


def test_a_manual_addition_has_no_reaction_time(records: list[logging.LogRecord]) -> None:
    stack = Stack(flexible(total=10, assigned=5), restore_policy(trigger=2, target=4))
    request = stack.add_by_hand(2, 1)
    assert request.observed_at is None
    stack.apply(request.request_id)
    [finished] = [r for r in records if r.getMessage() == "top-up request finished"]
    assert vars(finished)["outcome"] == "APPLIED"
    assert vars(finished)["reactionSeconds"] is None

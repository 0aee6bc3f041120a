"""Retries draw their jitter from a generator of their own: a property test's or a simulation's
seeded sequence is not moved by a retry on another thread."""

from __future__ import annotations

import random

from licence_manager.adapters.retry import RetryPolicy, call_with_retries


class Transient(Exception):
    pass


def test_a_retry_leaves_the_shared_random_sequence_alone() -> None:
    random.seed(7)
    expected = random.random()

    failures = iter([Transient(), Transient()])
    waits: list[float] = []

    def call() -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return "done"

    random.seed(7)
    result = call_with_retries(
        call, RetryPolicy(), lambda e: isinstance(e, Transient), sleep=waits.append
    )
    assert result == "done"
    assert len(waits) == 2 and all(0 <= w <= 1.0 for w in waits)
    assert random.random() == expected

"""The in-process copy of the list prices My Licences shows (adapters.firestore_dashboard):
read at most once a period, forgotten on a price change, never keeping a read that a change
overtook."""

from __future__ import annotations

from licence_manager.adapters.firestore_dashboard import ExpiringValue


def test_read_once_a_period_and_again_after_it() -> None:
    now, reads = [0.0], []

    def read() -> int:
        reads.append(now[0])
        return len(reads)

    cache = ExpiringValue(60.0, read, lambda: now[0])
    assert (cache.get(), cache.get()) == (1, 1)
    now[0] = 59.9
    assert cache.get() == 1
    now[0] = 60.0
    assert cache.get() == 2 and reads == [0.0, 60.0]


def test_a_change_made_while_reading_is_not_hidden_by_that_read() -> None:
    values = iter(["old", "new"])
    cache: ExpiringValue[str]

    def read() -> str:
        value = next(values)
        if value == "old":
            cache.forget()  # a price changed while this read was in flight
        return value

    cache = ExpiringValue(60.0, read, lambda: 0.0)
    assert cache.get() == "old"  # this caller sees what it read
    assert cache.get() == "new"  # but it was not kept: the next caller reads again

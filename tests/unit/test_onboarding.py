"""Pacing the first sync of a large book: 500/50/5, in microseconds."""

from licence_manager.domain.onboarding import OnboardingPace


def test_new_licences_are_admitted_at_the_rate_after_a_short_burst() -> None:
    pace = OnboardingPace(per_second=100, per_run=1_000)
    waits = [pace.admit(now=0.0) for _ in range(60)]
    assert waits[:10] == [0.0] * 10  # a tenth of a second's worth at once
    assert waits[10] == 0.01 and abs(waits[59] - 0.5) < 1e-9  # then one every 10 ms


def test_waiting_refills_the_bucket() -> None:
    pace = OnboardingPace(per_second=100, per_run=1_000)
    for _ in range(10):
        pace.admit(now=0.0)
    assert pace.admit(now=0.0) == 0.01
    assert pace.admit(now=0.5) == 0.0  # half a second later, the bucket is full again
    assert [pace.admit(now=10.0) for _ in range(10)] == [0.0] * 10
    assert pace.admit(now=10.0) == 0.01  # never more than a tenth of a second's burst


def test_a_run_admits_no_more_than_its_share() -> None:
    pace = OnboardingPace(per_second=1_000, per_run=3)
    assert [pace.admit(now=float(t)) for t in range(5)] == [0.0, 0.0, 0.0, None, None]


def test_a_whole_run_stays_under_firestores_starting_rate() -> None:
    """5 writes per new licence, admitted over a simulated minute: ≤ 500 writes a second."""
    pace = OnboardingPace(per_run=100_000)  # the default rate
    now, writes_at = 0.0, []
    while now < 60.0:
        wait = pace.admit(now)
        assert wait is not None
        now += wait
        writes_at.append(now)
    per_second = max(sum(1 for t in writes_at if s <= t < s + 1) for s in range(59))
    assert per_second * 5 <= 500

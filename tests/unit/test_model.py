from licence_manager.domain.model import LicenceKey, PlanKind, Usage, plan_kind
from tests.builders import subscription


def test_annual_plans_count_number_of_seats() -> None:
    annual = subscription(plan="ANNUAL", total=25, assigned=20)
    assert annual.plan is PlanKind.ANNUAL
    assert annual.total_seats == 25


def test_flexible_and_trial_count_maximum_number_of_seats() -> None:
    assert subscription(plan="FLEXIBLE", total=12).total_seats == 12
    assert subscription(plan="TRIAL", total=8).total_seats == 8


def test_every_annual_spelling_is_one_plan_kind() -> None:
    names = ["ANNUAL", "ANNUAL_MONTHLY_PAY", "ANNUAL_YEARLY_PAY", "annual_yearly_pay"]
    assert {plan_kind(n) for n in names} == {PlanKind.ANNUAL}


def test_usage_figures() -> None:
    usage = Usage.of(subscription(total=10, assigned=7))
    assert (usage.total, usage.assigned, usage.vacant) == (10, 7, 3)
    assert usage.utilisation == 0.7


def test_over_assigned_licence_reads_full_not_negative() -> None:
    usage = Usage.of(subscription(total=5, assigned=6))
    assert usage.vacant == 0
    assert usage.utilisation == 1.0


def test_empty_licence_utilisation() -> None:
    assert Usage.of(subscription(total=0, assigned=0)).utilisation == 0.0


def test_licences_are_keyed_by_customer_and_sku_not_subscription_id() -> None:
    first = subscription(subscription_id="a")
    renewed = subscription(subscription_id="b")
    assert first.key == renewed.key == LicenceKey("C01", "1010020028")
    assert first.key.doc_id == "C01_1010020028"

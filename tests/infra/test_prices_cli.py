"""`licence-manager prices list|set|remove|discount` through the real command line, on the
in-memory price list that stands in for the deployment's Firestore (the contract tests hold the
two to the same behaviour)."""

from __future__ import annotations

import io

import pytest

from licence_manager.cli import Clients, main
from licence_manager_local.demo_prices import seed_demo_prices
from tests.fakes.memory_prices import InMemoryPriceList


class Deployment:
    def __init__(self) -> None:
        self.prices = InMemoryPriceList()
        self.opened: list[tuple[str, str]] = []

    def run(self, *argv: str) -> tuple[int, str]:
        def open_firestore(project: str, database: str) -> InMemoryPriceList:
            self.opened.append((project, database))
            return self.prices

        out = io.StringIO()
        code = main(["prices", *argv], clients=Clients(price_list=open_firestore), out=out)
        return code, out.getvalue()


@pytest.fixture
def deployment() -> Deployment:
    return Deployment()


def test_set_list_discount_and_remove_with_who_recorded(deployment: Deployment) -> None:
    code, out = deployment.run("list", "--project", "lm-prod")
    assert code == 0 and "No prices are set" in out
    code, out = deployment.run(
        "set", "--project", "lm-prod", "--sku", "1010020028", "--plan", "FLEXIBLE",
        "--currency", "GBP", "--minor", "1416", "--by", "kim",
    )  # fmt: skip
    assert code == 0 and out == (
        "Google Workspace Business Standard on FLEXIBLE: £14.16 a seat a month, ex VAT.\n"
    )
    code, out = deployment.run(
        "discount", "--project", "lm-prod", "--customer", "C01", "--percent", "12.5"
    )
    assert code == 0 and "C01: 12.5% off every list price." in out
    code, out = deployment.run("list", "--project", "lm-prod", "--customer", "C01")
    assert "£14.16 (£12.39 for C01)" in out and "discount: C01 12.5% off" in out
    code, out = deployment.run("discount", "--project", "p", "--customer", "C01", "--clear")
    assert code == 0 and deployment.prices.discount("C01") is None
    code, out = deployment.run(
        "remove", "--project", "p", "--sku", "1010020028", "--plan", "FLEXIBLE"
    )
    assert code == 0 and deployment.prices.prices() == []
    code, out = deployment.run(
        "remove", "--project", "p", "--sku", "1010020028", "--plan", "FLEXIBLE"
    )
    assert code == 1 and "No price is set" in out
    assert [c.by for c in deployment.prices.price_changes(10)][-1] == "kim"
    assert deployment.opened[0] == ("lm-prod", "(default)")


def test_invalid_input_names_the_option_and_changes_nothing(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    seed_demo_prices(deployment.prices)
    before = deployment.prices.prices()
    code, out = deployment.run(
        "set", "--project", "p", "--sku", "999", "--plan", "FLEXIBLE",
        "--currency", "pounds", "--minor", "-5",
    )  # fmt: skip
    assert code == 2
    assert "--currency: Must be an ISO 4217 code" in out
    assert "--minor: Must be a whole number" in out and "--name: Name the SKU" in out
    code, out = deployment.run(
        "discount", "--project", "p", "--customer", "C01", "--percent", "100"
    )
    assert code == 2 and out.startswith("--percent: Must be a percentage above 0 and below 100")
    code, out = deployment.run("list")
    assert code == 2 and "--project required" in out
    assert deployment.prices.prices() == before and deployment.prices.discounts() == []
    with pytest.raises(SystemExit):
        deployment.run("set", "--project", "p", "--sku", "1", "--plan", "MONTHLY")

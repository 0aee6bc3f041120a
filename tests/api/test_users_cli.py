"""`licence-manager users` through the real command line, on the in-memory store that stands in
for the deployment's Firestore (tests/contract holds the two to the same behaviour); and the old
entry, `python -m licence_manager.ops.users`, which is the same command."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from licence_manager.cli import Clients, main
from licence_manager.domain.model import Customer
from licence_manager.domain.users import Role
from tests.fakes.memory_user_admin import InMemoryUserAdmin


class Run:
    def __init__(self) -> None:
        self.admin = InMemoryUserAdmin()
        for customer_id, domain in (("C01", "acme.example"), ("C02", "globex.example")):
            self.admin.store.save_customer(Customer(customer_id, domain, domain, "Europe/London"))
        self.opened: list[tuple[str, str]] = []

    def __call__(self, *argv: str) -> tuple[int, str]:
        def open_store(project: str, database: str) -> InMemoryUserAdmin:
            self.opened.append((project, database))
            return self.admin

        out = io.StringIO()
        code = main(["users", *argv], clients=Clients(user_admin=open_store), out=out)
        return code, out.getvalue()


@pytest.fixture
def users(monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "lm-prod")
    monkeypatch.delenv("FIRESTORE_DATABASE", raising=False)
    return Run()


def test_add_list_set_role_disable_enable_remove_with_history(users: Run) -> None:
    code, said = users(
        "add", "Alex@Acme.example", "--role", "customer_admin", "--customer", "C01",
        "--name", "Alex", "--by", "kim",
    )  # fmt: skip
    assert (code, said) == (0, "kim granted alex@acme.example Customer admin of C01\n")
    assert users.opened == [("lm-prod", "(default)")]
    alex = users.admin.store.user("alex@acme.example")
    assert alex is not None and alex.role is Role.CUSTOMER_ADMIN and alex.name == "Alex"

    assert users("add", "ops@r.example", "--role", "reseller_ops", "--by", "kim")[0] == 0
    code, said = users("list")
    assert said.splitlines() == [
        "alex@acme.example (Alex)\tCustomer admin of C01",
        "ops@r.example\tReseller operations (every customer)",
    ]
    code, said = users(
        "set-role", "alex@acme.example", "--role", "account_manager",
        "--customer", "C01", "--customer", "C02", "--by", "lee",
    )  # fmt: skip
    assert code == 0 and "lee changed alex@acme.example from Customer admin of C01" in said
    assert "to Account manager of C01, C02" in said
    assert users("disable", "alex@acme.example", "--by", "kim")[0] == 0
    disabled = users.admin.store.user("alex@acme.example")
    assert disabled is not None and disabled.disabled and not disabled.can_read("C01")
    assert "(disabled)" in users("list")[1]
    assert users("enable", "alex@acme.example")[0] == 0
    assert users("remove", "alex@acme.example", "--by", "kim")[0] == 0
    assert users.admin.store.user("alex@acme.example") is None

    code, said = users("history", "--limit", "3")
    lines = said.splitlines()
    assert len(lines) == 3 and lines[0].endswith(
        "kim removed alex@acme.example (Account manager of C01, C02)"
    )
    assert " UTC  " in lines[0]
    assert "enabled alex@acme.example" in lines[1]


@pytest.mark.parametrize(
    ("argv", "code", "error"),
    [
        (("add", "a@acme.example", "--role", "customer_admin"), 2, "exactly one customer"),
        (("add", "not-an-email", "--role", "reseller_ops"), 2, "is not an email address"),
        (
            ("add", "a@acme.example", "--role", "customer_admin", "--customer", "C99"),
            2,
            "unknown customer C99",
        ),
        (
            ("add", "o@r.example", "--role", "reseller_ops", "--customer", "C01"),
            2,
            "give no customer ids",
        ),
        (("remove", "nobody@acme.example"), 1, "no user nobody@acme.example"),
        (("set-role", "nobody@acme.example", "--role", "reseller_ops"), 1, "no user"),
        (("history", "--limit", "0"), 2, "--limit must be at least 1"),
    ],
)
def test_refusals_say_why_and_change_nothing(
    users: Run, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], code: int, error: str
) -> None:
    assert users(*argv) == (code, "")
    assert error in capsys.readouterr().err
    assert users.admin.users() == [] and users.admin.changes() == []


def test_adding_twice_or_changing_nothing_is_refused(
    users: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    users("add", "o@r.example", "--role", "reseller_ops")
    assert users("add", "o@r.example", "--role", "reseller_ops")[0] == 2
    assert "already provisioned as Reseller operations" in capsys.readouterr().err
    assert users("set-role", "o@r.example", "--role", "reseller_ops")[0] == 2
    assert "nothing to change" in capsys.readouterr().err
    assert users("enable", "o@r.example")[0] == 2
    assert "already enabled" in capsys.readouterr().err
    assert len(users.admin.changes()) == 1


def test_a_role_argument_outside_the_roles_is_refused_by_the_parser(users: Run) -> None:
    with pytest.raises(SystemExit) as exit_:
        users("add", "a@acme.example", "--role", "admin")
    assert exit_.value.code == 2


def test_the_project_is_required(users: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")
    assert users("list") == (2, "")
    assert users.opened == []


def test_the_old_module_entry_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "licence_manager.ops.users", "add", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: licence-manager users add" in done.stdout

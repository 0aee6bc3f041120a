"""Deciding changes to dashboard users (domain.user_changes): the pure rules, and how each change
reads in `licence-manager users history`."""

from __future__ import annotations

import pytest

from licence_manager.domain import user_changes
from licence_manager.domain.user_changes import UserChangeKind, UserNotFound
from licence_manager.domain.users import Role, User, UserError
from tests.builders import T0

ALEX = User("alex@acme.example", "Alex", Role.CUSTOMER_ADMIN, frozenset({"C01"}))
MORGAN = User("morgan@r.example", "", Role.ACCOUNT_MANAGER, frozenset({"C01", "C02"}))


def test_add_normalises_and_says_who_granted_what() -> None:
    change = user_changes.add(None, User(" Alex@Acme.example ", "Alex ", ALEX.role,
                                         ALEX.customer_ids), "kim", T0)  # fmt: skip
    assert change.after == ALEX and change.before is None and change.kind is UserChangeKind.ADDED
    assert change.describe() == "kim granted alex@acme.example Customer admin of C01"
    assert change.doc_id.endswith("-alex@acme.example")


def test_add_never_replaces_someone() -> None:
    with pytest.raises(UserError, match=r"already provisioned as Customer admin of C01.*set-role"):
        user_changes.add(ALEX, ALEX, "kim", T0)


def test_set_role_keeps_customers_unless_given_and_ops_have_none() -> None:
    to_manager = user_changes.set_role(ALEX, ALEX.email, Role.ACCOUNT_MANAGER, None, "kim", T0)
    assert to_manager.after is not None and to_manager.after.customer_ids == {"C01"}
    to_ops = user_changes.set_role(MORGAN, MORGAN.email, Role.RESELLER_OPS, None, "kim", T0)
    assert to_ops.after is not None and to_ops.after.customer_ids == frozenset()
    assert to_ops.describe() == (
        "kim changed morgan@r.example from Account manager of C01, C02 "
        "to Reseller operations (every customer)"
    )
    with pytest.raises(UserError, match="exactly one customer"):
        user_changes.set_role(MORGAN, MORGAN.email, Role.CUSTOMER_ADMIN, None, "kim", T0)
    with pytest.raises(UserError, match="nothing to change"):
        user_changes.set_role(ALEX, ALEX.email, Role.CUSTOMER_ADMIN, None, "kim", T0)


def test_disable_enable_remove_read_as_done() -> None:
    disabled = user_changes.set_disabled(ALEX, ALEX.email, True, "kim", T0)
    assert disabled.describe() == "kim disabled alex@acme.example (Customer admin of C01)"
    assert disabled.after is not None and disabled.after.disabled
    with pytest.raises(UserError, match="already enabled"):
        user_changes.set_disabled(ALEX, ALEX.email, False, "kim", T0)
    enabled = user_changes.set_disabled(disabled.after, ALEX.email, False, "lee", T0)
    assert enabled.describe() == "lee enabled alex@acme.example (Customer admin of C01)"
    removed = user_changes.remove(ALEX, ALEX.email, "kim", T0)
    assert removed.after is None
    assert removed.describe() == "kim removed alex@acme.example (Customer admin of C01)"


def test_changing_nobody_is_refused() -> None:
    with pytest.raises(UserNotFound, match=r"no user bob@acme\.example"):
        user_changes.remove(None, " Bob@Acme.example", "kim", T0)

"""Where the dashboard reads a customer's savings (domain.savings). They are written only by
the unit of work, in the transaction of whatever caused them (Transaction.record_saving)."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the cold api loads this port with ApiStore, not the domain module
    from licence_manager.domain.saving_totals import SavingTotals
    from licence_manager.domain.savings import Saving


class SavingsStore(abc.ABC):
    @abc.abstractmethod
    def savings_in_month(self, customer_id: str, month: str) -> list[Saving]:
        """The customer's savings counted in `month` (YYYY-MM), oldest first."""

    @abc.abstractmethod
    def saving_totals(self, customer_id: str) -> SavingTotals | None:
        """The customer's totals document; None before their first saving."""

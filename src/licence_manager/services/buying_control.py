"""The emergency stop: reseller ops pause all buying at once, and resume it.

apply_topup asks domain.buying.refusal before every Google write, so a pause stops requests
already on their way; the dashboard also refuses new additions and purchases while paused, so
admins are told at once rather than by a failure email.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from licence_manager.domain.buying import BuyingControl
from licence_manager.ports.unit_of_work import BUYING, Transaction, UnitOfWork


def buying_paused(uow: UnitOfWork) -> str | None:
    """The message to show while buying is paused; None when it is not."""
    control = uow.run(lambda tx: tx.buying_control())
    if not control.paused:
        return None
    because = f" ({control.reason})" if control.reason else ""
    return f"Buying is paused by the reseller{because}; nothing can be bought right now."


def set_buying_paused(
    uow: UnitOfWork, paused: bool, by: str, at: datetime, reason: str = ""
) -> BuyingControl:
    """Pause or resume buying for every customer; returns the control as saved."""
    control = BuyingControl(
        paused=paused, reason=reason if paused else "", changed_by=by, changed_at=at
    )

    # The switch holds only its latest state; each change is also kept, for who did what when.
    change_id = f"{at.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"

    def save(tx: Transaction) -> BuyingControl:
        tx.controls.put(BUYING, control)
        tx.buying_changes.create(change_id, control)
        return control

    return uow.run(save)

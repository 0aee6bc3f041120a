"""Seat holders and insights as the holder sync writes them, for the tests of what reads them
(the sync itself is another part; these are seeded through ports.reclaim's save methods)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from licence_manager.domain.forecast import RunOutForecast, forecast_run_out
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight
from licence_manager.domain.reclaim import ReclaimReason, SeatHolder
from licence_manager.domain.seat_holders import ReclaimRecord

SYNCED = datetime(2026, 12, 1, 6, tzinfo=UTC)


def holder_record(
    customer_id: str,
    sku_id: str,
    email: str,
    reason: ReclaimReason | None,
    *,
    product_id: str = "Google-Apps",
    user_id: str | None = None,
    last_login: datetime | None = None,
    created_at: datetime = datetime(2025, 1, 10, tzinfo=UTC),
    activity_as_of: date | None = None,
    domain: str = "",
) -> ReclaimRecord:
    holder = SeatHolder(
        email=email,
        user_id=_directory_id(email) if user_id is None else user_id,
        sku_id=sku_id,
        suspended=reason is ReclaimReason.SUSPENDED,
        archived=False,
        created_at=created_at,
        last_login=last_login,
        activity_as_of=activity_as_of,
    )
    return ReclaimRecord(
        customer_id, domain or f"{customer_id.lower()}.example", product_id, holder, reason, SYNCED
    )


def _directory_id(email: str) -> str:
    """A stable made-up Directory id (numeric, as Google's are)."""
    return str(int(hashlib.sha256(email.encode()).hexdigest()[:12], 16))


def insights_of(
    customer_id: str,
    records: Iterable[ReclaimRecord],
    status: HoldersStatus = HoldersStatus.OK,
    inactive_days: int = 60,
    forecasts: Mapping[str, RunOutForecast] | None = None,
) -> LicenceInsights:
    """The insights document the sync would write for these holders (and forecasts)."""
    skus: dict[str, list[ReclaimRecord]] = {}
    for r in records:
        skus.setdefault(r.holder.sku_id, []).append(r)

    def count(found: list[ReclaimRecord], reason: ReclaimReason) -> int:
        return sum(r.reclaim_reason is reason for r in found)

    return LicenceInsights(
        customer_id=customer_id,
        synced_at=SYNCED,
        holders_status=status,
        holders_detail="403 domainCannotUseApis" if status is HoldersStatus.NO_ACCESS else "",
        inactive_days=inactive_days,
        skus={
            sku_id: SkuInsight(
                product_id=found[0].product_id,
                holders=len(found),
                reclaimable=sum(r.reclaim_reason is not None for r in found),
                suspended=count(found, ReclaimReason.SUSPENDED),
                never_signed_in=count(found, ReclaimReason.NEVER_SIGNED_IN),
                inactive=count(found, ReclaimReason.INACTIVE),
            )
            for sku_id, found in skus.items()
        },
        forecasts=dict(forecasts or {}),
    )


def growing_forecast(
    seats_total: int,
    assigned_now: float,
    per_day: float,
    as_of: date,
    days: int = 56,
    noise: float = 0.0,
) -> RunOutForecast:
    """The forecast of a licence whose assigned seats grew steadily by `per_day` for `days`
    days up to `as_of`, ending near `assigned_now`: a small weekly wobble, as real ones have,
    and, with `noise`, day-to-day scatter of about that many seats (the same every run)."""
    scatter = random.Random(f"{seats_total}-{as_of}")
    history = []
    for d in range(days - 1, -1, -1):
        day = as_of - timedelta(days=d)
        wobble = 0.3 if day.weekday() < 5 else -0.7
        history.append((day, assigned_now - per_day * d + wobble + scatter.gauss(0, noise)))
    return forecast_run_out(history, seats_total)

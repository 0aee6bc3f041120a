from datetime import UTC, date, datetime

from licence_manager.adapters.insights_codec import (
    insights_from_doc,
    insights_to_doc,
    reclaimable_from_doc,
)
from licence_manager.domain.insights import HoldersStatus, LicenceInsights, SkuInsight, sku_insight
from licence_manager.domain.reclaim import ReclaimPolicy, SeatHolder, reclaimable_seats

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _insights(status: HoldersStatus = HoldersStatus.OK) -> LicenceInsights:
    return LicenceInsights(
        customer_id="C01",
        synced_at=NOW,
        holders_status=status,
        holders_detail="",
        inactive_days=60,
        skus={"1010020028": SkuInsight("Google-Apps", 12, 3, 1, 1, 1)},
    )


def test_the_document_round_trips() -> None:
    assert insights_from_doc(insights_to_doc(_insights())) == _insights()


def test_reclaimable_is_known_only_when_the_holders_were_read() -> None:
    assert _insights().reclaimable("1010020028") == 3
    assert _insights().reclaimable("1010020027") == 0  # held by nobody
    assert _insights(HoldersStatus.NO_ACCESS).reclaimable("1010020028") is None
    assert reclaimable_from_doc(None, "1010020028") is None
    doc = insights_to_doc(_insights()) | {"holdersStatus": "SOMETHING_NEW"}
    assert reclaimable_from_doc(doc, "1010020028") is None


def test_sku_insight_counts_each_reason() -> None:
    def holder(
        email: str, *, suspended: bool = False, last_login: datetime | None = NOW
    ) -> SeatHolder:
        return SeatHolder(
            email=email,
            user_id=email,
            sku_id="1010020028",
            suspended=suspended,
            archived=False,
            created_at=datetime(2025, 1, 1, tzinfo=UTC),
            last_login=last_login,
        )

    holders = [
        holder("a@x.test"),
        holder("b@x.test", suspended=True),
        holder("c@x.test", last_login=None),
        holder("d@x.test", last_login=datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    seats = reclaimable_seats(holders, ReclaimPolicy(60), date(2026, 12, 1))
    assert sku_insight("Google-Apps", holders, seats) == SkuInsight("Google-Apps", 4, 3, 1, 1, 1)

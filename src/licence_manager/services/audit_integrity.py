"""The scheduled audit check (verify_audit, daily): every customer's hash chains verified from
the head verified last time, and the verified heads exported where the functions cannot rewrite
them (docs/operations.md, "Audit integrity: the scheduled check").

A page of the plan publishes one message per customer, as the holder sync and the month-end
job do; a customer's message verifies each of its chains incrementally, logs one
`audit_chain_broken` error per broken chain, moves the checkpoints of the chains that verified
and exports the day's heads once (an export that exists is kept as it was)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from licence_manager.domain.audit_integrity import (
    MAX_ENTRIES_PER_RUN,
    ChainCheck,
    check_chain,
    export_document,
    export_name,
)
from licence_manager.observability import get_logger
from licence_manager.ports import Publisher
from licence_manager.ports.audit_integrity import AuditChains, HeadArchive
from licence_manager.ports.reports import ReportStore

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


log = get_logger(__name__)

PAGE_SIZE = 500
# The event every broken chain is logged with (a log-based metric and its alert count them).
CHAIN_BROKEN = "audit_chain_broken"
# The event each customer's completed check is logged with: a day without any says the check
# did not run (a log-based metric and its absence alert).
CUSTOMER_CHECKED = "audit_check.customer"


@dataclass(frozen=True, slots=True)
class CustomerAuditCheck:
    customer_id: str
    checks: tuple[ChainCheck, ...]
    exported: bool  # False: today's export existed already (a redelivered message)

    @property
    def broken(self) -> tuple[ChainCheck, ...]:
        return tuple(c for c in self.checks if c.broken)

    @property
    def entries_read(self) -> int:
        return sum(c.entries_read for c in self.checks)


def log_broken(check: ChainCheck, trigger: str) -> None:
    """One structured error per broken chain (fields documented for the monitoring alert)."""
    log.error(
        "audit chain broken",
        extra={
            "event": CHAIN_BROKEN,
            "customerId": check.key.customer_id,
            "skuId": check.key.sku_id,
            "chainId": check.key.doc_id,
            "verifiedSeq": check.verified_from.seq,
            "problems": list(check.problems),
            "trigger": trigger,
        },
    )


class VerifyCustomerAudit:
    def __init__(
        self,
        chains: AuditChains,
        archive: HeadArchive,
        clock: Clock = utc_now,
        max_entries: int = MAX_ENTRIES_PER_RUN,
    ) -> None:
        self._chains = chains
        self._archive = archive
        self._clock = clock
        self._max_entries = max_entries

    def __call__(self, customer_id: str) -> CustomerAuditCheck:
        at = self._clock()
        checks: list[ChainCheck] = []
        for state in self._chains.chains_of(customer_id):
            wanted = state.range_to_read(self._max_entries)
            entries = self._chains.entries(state.key, *wanted) if wanted else []
            check = check_chain(state, entries, self._max_entries)
            if check.broken:
                log_broken(check, "scheduled")
            checks.append(check)
        moved = {c.key: c.head for c in checks if not c.broken and c.head != c.verified_from}
        self._chains.save_checkpoints(customer_id, moved, at)
        exported = self._archive.put_new(
            export_name(customer_id, at), export_document(customer_id, at, checks)
        )
        done = CustomerAuditCheck(customer_id, tuple(checks), exported)
        log.info(
            "audit check customer",
            extra={
                "event": CUSTOMER_CHECKED,
                "outcome": "BROKEN" if done.broken else "OK",
                "customerId": customer_id,
                "chains": len(checks),
                "broken": len(done.broken),
                "entriesRead": done.entries_read,
                "exported": exported,
            },
        )
        return done


@dataclass(frozen=True, slots=True)
class AuditCheckPage:
    published: int
    next_after: str | None


class PlanAuditCheck:
    """One page of the plan: the next `page_size` customer ids after `after`, one message each,
    then a message for the page after (no invocation walks the whole book)."""

    def __init__(
        self, customers: ReportStore, publisher: Publisher, page_size: int = PAGE_SIZE
    ) -> None:
        self._customers = customers
        self._publisher = publisher
        self._page_size = page_size

    def __call__(self, after: str | None = None) -> AuditCheckPage:
        ids = self._customers.customer_ids_after(after, self._page_size)
        self._publisher.publish_audit_verify_customers(ids)
        next_after = ids[-1] if len(ids) == self._page_size else None
        if next_after is not None:
            self._publisher.publish_audit_verify_page(next_after)
        log.info(
            "audit check page planned",
            extra={"after": after, "customers": len(ids), "more": bool(next_after)},
        )
        return AuditCheckPage(len(ids), next_after)

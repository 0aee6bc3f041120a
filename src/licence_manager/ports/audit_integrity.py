"""Ports of the scheduled audit check: the chains as stored (with the check's checkpoints) and
the archive of verified heads that the functions can add to but never rewrite."""

from __future__ import annotations

import abc
from datetime import datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.audit_integrity import ChainState
from licence_manager.domain.model import AuditHead, LicenceKey


class AuditChains(abc.ABC):
    @abc.abstractmethod
    def chains_of(self, customer_id: str) -> list[ChainState]:
        """Every chain of a customer that has a head or a checkpoint (one of them missing is
        itself a finding), in SKU id order."""

    @abc.abstractmethod
    def entries(self, key: LicenceKey, first: int, last: int) -> list[AuditEntry]:
        """The chain's stored entries with sequence numbers first..last (inclusive), in order:
        one id-range read, never the whole chain."""

    @abc.abstractmethod
    def save_checkpoints(
        self, customer_id: str, heads: dict[LicenceKey, AuditHead], at: datetime
    ) -> None:
        """Remember the heads verified now (one write for the customer's chains)."""


class ArchiveError(Exception):
    """The archive could not be written or read (retry the message)."""


class HeadArchive(abc.ABC):
    """Objects that once written are never overwritten or deleted (a bucket with a retention
    policy the functions cannot change; locally a directory)."""

    @abc.abstractmethod
    def put_new(self, name: str, content: bytes) -> bool:
        """Create `name` with `content`: True if this call created it, False if it existed
        already (left as it was: an export is never replaced)."""

    @abc.abstractmethod
    def get(self, name: str) -> bytes | None: ...

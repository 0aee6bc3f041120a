"""The scheduled audit check's ports in memory: chains (entries, heads, checkpoints) and an
archive that never replaces an object. Held to the real adapters by
tests/contract/test_audit_integrity_store.py and tests/contract/test_head_archive.py."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain.audit import AuditEntry
from licence_manager.domain.audit_integrity import ChainState
from licence_manager.domain.model import AuditHead, LicenceKey
from licence_manager.ports.audit_integrity import AuditChains, HeadArchive


class MemoryAuditChains(AuditChains):
    def __init__(self) -> None:
        self.entries_by_key: dict[LicenceKey, dict[int, AuditEntry]] = {}
        self.heads: dict[LicenceKey, AuditHead] = {}
        self.checkpoints: dict[LicenceKey, AuditHead] = {}
        self.ranges_read: list[tuple[LicenceKey, int, int]] = []
        self.entries_read = 0

    def append(self, entry: AuditEntry) -> None:
        """As the writers do: the entry and the chain's head together."""
        self.entries_by_key.setdefault(entry.key, {})[entry.seq] = entry
        self.heads[entry.key] = entry.head

    def chains_of(self, customer_id: str) -> list[ChainState]:
        keys = {
            k for k in self.heads.keys() | self.checkpoints.keys() if k.customer_id == customer_id
        }
        return [
            ChainState(key, self.heads.get(key), self.checkpoints.get(key))
            for key in sorted(keys, key=lambda k: k.sku_id)
        ]

    def entries(self, key: LicenceKey, first: int, last: int) -> list[AuditEntry]:
        self.ranges_read.append((key, first, last))
        stored = self.entries_by_key.get(key, {})
        found = [stored[seq] for seq in sorted(stored) if first <= seq <= last]
        self.entries_read += len(found)
        return found

    def save_checkpoints(
        self, customer_id: str, heads: dict[LicenceKey, AuditHead], at: datetime
    ) -> None:
        self.checkpoints.update(heads)


class MemoryArchive(HeadArchive):
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_new(self, name: str, content: bytes) -> bool:
        if name in self.objects:
            return False
        self.objects[name] = content
        return True

    def get(self, name: str) -> bytes | None:
        return self.objects.get(name)

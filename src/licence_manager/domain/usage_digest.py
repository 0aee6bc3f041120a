"""The per-shard usage digest: what lets an idle sync read one document per shard instead of
every licence (issue 12).

A digest lists, per licence of a sync shard, a short fingerprint of the usage stored for it. A
sync compares Google's figures with the fingerprint and opens a transaction only for a licence
whose fingerprint differs or is not there. The whole scheme rests on one invariant:

    an entry that is a fingerprint equals the fingerprint of the licence as stored.

Three rules keep it (docs/architecture.md, "The usage digest"):
- every writer of a licence other than the sync's record step replaces the licence's entry with
  a fresh *mark* in the same transaction (the unit of work's licence repository does it);
- the sync marks every licence it is about to record before it records it, and afterwards sets
  a fingerprint only where its own mark is still there (nobody wrote the licence in between),
  from the figures its record transaction read;
- a licence moved to another digest document has its old entry deleted in that transaction.
A mark or a missing entry costs one transaction on the next sync, never a wrong skip.
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from licence_manager.domain.model import LicenceKey, Usage

REMOVED = "REMOVED"  # domain.observation's status of a licence gone from Google
MARK = "?"  # an entry starting with it is a mark: "written since; read the licence"
GONE = "-"  # an entry starting with it fingerprints a licence marked removed

# Bytes of entries a digest document holds before its shard is split into more documents, by
# Firestore's storage-size rules (https://firebase.google.com/docs/firestore/storage-size), of a
# 1 MiB limit: room for the document's other fields and for a part that hashing filled a little
# more than the others. That is about 21,000 licences with typical ids (34 bytes an entry) and
# 13,000 with the longest SKU ids (55 bytes). The entries are exempt from indexing
# (infra/terraform/firestore.tf), so the 40,000 index entries a document may have do not bind.
DOCUMENT_BUDGET = 700 * 1024


def entry_size(key: LicenceKey, entry: str) -> int:
    """One entry's storage size: its SKU field name and string value (UTF-8 length + 1 each)
    and its customer's map field name, counted in full for every entry (an upper bound)."""
    return sum(len(text.encode()) + 1 for text in (key.customer_id, key.sku_id, entry))


def fingerprint(usage: Usage) -> str:
    """What the sync compares, in 12 hex characters (a collision needs 2^48 tries): every field
    of Usage. The renewal fields join only when set, so a licence without them (FLEXIBLE, or
    stored before they were read) keeps the fingerprint it had; an annual licence's changes
    once, and the first sync after they were added records it once."""
    fields = [
        usage.sku_name,
        usage.plan_name,
        usage.subscription_id,
        usage.status,
        str(usage.total),
        str(usage.assigned),
    ]
    if usage.renewal_type or usage.commitment_ends_at is not None:
        ends = usage.commitment_ends_at
        fields += [usage.renewal_type, "" if ends is None else ends.astimezone(UTC).isoformat()]
    if usage.trial_ends_at is not None or usage.suspension_reasons:
        # Likewise: only licences in trial or suspended change fingerprint once.
        trial = usage.trial_ends_at
        fields += ["" if trial is None else trial.astimezone(UTC).isoformat()]
        fields += [",".join(usage.suspension_reasons)]
    text = "\x1f".join(fields)
    digest = hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    return (GONE if usage.status == REMOVED else "") + digest


def new_mark() -> str:
    """A mark no other writer can produce: a sync recognises its own by equality."""
    return MARK + uuid.uuid4().hex[:12]


def is_fingerprint(entry: str | None) -> bool:
    return entry is not None and not entry.startswith(MARK)


def listed_live(entry: str) -> bool:
    """Might the licence still be live (a mark might be anything)? A vanished licence whose
    entry says removed needs no confirmation."""
    return not entry.startswith(GONE)


def document_id(shard: str, part: int = 0) -> str:
    """`shard` is the sync's customerNamePrefix ("" for every customer)."""
    base = shard or "_all"  # a domain cannot start with "_"
    return base if part == 0 else f"{base}~{part}"


def part_of(customer_id: str, parts: int) -> int:
    """A customer's licences stay in one document; stable across processes (not hash())."""
    return zlib.crc32(customer_id.encode()) % parts


def parts_for(size: int, parts: int) -> int:
    """How many documents a shard's entries of this storage size need. Doubling keeps half of
    each document's entries where they are when a shard splits."""
    while size > DOCUMENT_BUDGET * parts:
        parts *= 2
    return parts


@dataclass(frozen=True, slots=True)
class ShardLease:
    """Which sync run may record a shard's licences, until when. Two runs of one shard must not
    record side by side: a run's record step does not mark the digest, so a run settling
    between another's mark and record would fingerprint figures that are about to change. The
    lease outlasts the sync function's timeout (Terraform checks it), so a holder cannot still
    be recording when it runs out."""

    holder: str
    until: datetime


def may_record(lease: ShardLease | None, holder: str, now: datetime) -> bool:
    return lease is None or lease.holder == holder or lease.until <= now


@dataclass(slots=True)
class UsageDigest:
    """One shard's digest as read: each document's entries."""

    shard: str
    parts: int = 1
    documents: dict[str, dict[LicenceKey, str]] = field(default_factory=dict)
    exists: bool = False  # False: never written (a first sync reads every licence instead)
    holder: str = ""  # the sync run that read it, for the shard's lease

    def home(self, key: LicenceKey) -> str:
        """The document a licence's entry belongs in."""
        return document_id(self.shard, part_of(key.customer_id, self.parts))

    def entry(self, key: LicenceKey) -> str | None:
        """The licence's entry in its home document. One left elsewhere before a split does not
        count: the licence is recorded again, which lists it at home."""
        return self.documents.get(self.home(key), {}).get(key)

    def matches(self, key: LicenceKey, observed: Usage) -> bool:
        entry = self.entry(key)
        return is_fingerprint(entry) and entry == fingerprint(observed)

    def listed(self) -> dict[LicenceKey, str]:
        """Every licence with an entry anywhere (its home entry where it has one)."""
        found = {key: e for entries in self.documents.values() for key, e in entries.items()}
        return {key: self.entry(key) or entry for key, entry in found.items()}


def settled_layout(
    read: UsageDigest,
    marks: dict[LicenceKey, str],
    recorded: dict[LicenceKey, Usage | None],
) -> tuple[int, dict[str, dict[LicenceKey, str]]]:
    """The digest's documents after a sync recorded the marked licences (read: the digest as
    read again in the settling transaction). A fingerprint replaces a mark only where the mark
    is still there, from the usage the record transaction read (None: the licence does not
    exist); where another writer replaced it, its mark stays and the next sync reads the
    licence; where it was dropped, a licence that exists gets a fresh mark. A shard grown past
    DOCUMENT_BUDGET a document is split: an entry stays where its licence already lives, the others
    move as marks and their licences are recorded again."""
    documents = {doc: dict(entries) for doc, entries in read.documents.items()}
    for key, mark in marks.items():
        home = documents.setdefault(read.home(key), {})
        if key not in recorded:
            continue
        if home.get(key) != mark:
            if key not in home and recorded[key] is not None:
                # Dropped meanwhile (another sync found no licence before this one created it,
                # or a split): a licence that exists must stay listed, or a sync would never
                # notice it vanish. A mark: the next sync reads it and settles it.
                home[key] = new_mark()
            continue
        usage = recorded[key]
        if usage is None:
            del home[key]
        else:
            home[key] = fingerprint(usage)
    size = sum(entry_size(k, e) for entries in documents.values() for k, e in entries.items())
    parts = parts_for(size, read.parts)
    if parts != read.parts:
        split = UsageDigest(read.shard, parts)
        moved: dict[str, dict[LicenceKey, str]] = {
            document_id(read.shard, n): {} for n in range(parts)
        }
        for doc, entries in documents.items():
            for key, entry in entries.items():
                target = split.home(key)
                # An entry that moves becomes a mark: its licence still names the old document,
                # where writers mark it, until the next sync records it and lists it at home.
                moved[target][key] = entry if target == doc else new_mark()
        documents = moved
    return parts, documents


def keys_by_document(
    digest: UsageDigest, keys: Iterable[LicenceKey]
) -> dict[str, list[LicenceKey]]:
    grouped: dict[str, list[LicenceKey]] = {}
    for key in keys:
        grouped.setdefault(digest.home(key), []).append(key)
    return grouped

"""The holder digest: one document per customer (`holder_digests/{customerId}`) listing each of
its stored `seat_holders` documents with the fingerprint of its facts
(domain.holders.holder_fingerprint), so the daily holder sync reads one document instead of
every holder to find which changed. Like the usage digest (domain.usage_digest), it rests on one
invariant:

    every stored holder of the customer is listed, and an entry that is a fingerprint equals the
    fingerprint of the holder as stored.

The sync keeps it by writing the new digest in the last batch, after the holders it wrote and
deleted, and, when that takes more than one batch, by first marking (MARK) every document it is
about to write or delete, in its first batch: a run cut short leaves marks, which the next run
rewrites or deletes again, never a fingerprint of facts no longer stored. Any other writer of
`seat_holders` must replace or drop the customer's entry in the same batch or transaction: the
unassign's outcome (domain.unassign) deletes its holder through the unit of work's
HolderRepository, which drops the entry in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HOLDER_DIGESTS = "holder_digests"
MARK = "?"  # "written or deleted since": never equal to a fingerprint, so read as changed

# Firestore's storage-size rules (https://firebase.google.com/docs/firestore/storage-size): a
# string is its UTF-8 length + 1; a map the sum of its keys' and values' sizes; a document its
# name (collection and document ids as strings + 16) + its fields (name + value) + 32; at most
# 1 MiB (1,048,576 bytes). An entry is a document id and a 12-hex fingerprint: 56 bytes with
# typical ids (`C0acme001_1010020027_` and a 21-digit Directory user id), 74 with the longest
# SKU id (Google-Vault-Former-Employee). The budget keeps 48,576 bytes spare, so a
# digest holds about 17,800 holders with typical ids and 13,500 with the longest; a customer
# with more has no digest and its sync reads its holders, as before the digest. The entries are
# exempt from indexing (infra/terraform/firestore.tf), so the 40,000 index entries a document
# may have do not bind.
DOCUMENT_LIMIT = 1_048_576
DIGEST_BUDGET = 1_000_000


@dataclass(frozen=True, slots=True)
class HolderDigest:
    customer_id: str
    entries: Mapping[str, str]  # seat_holders document id → holder_fingerprint, or MARK


def _string(text: str) -> int:
    return len(text.encode()) + 1


def digest_size(digest: HolderDigest) -> int:
    """The stored document's size in bytes, by Firestore's rules (above)."""
    name = _string(HOLDER_DIGESTS) + _string(digest.customer_id) + 16
    entries = sum(_string(doc_id) + _string(entry) for doc_id, entry in digest.entries.items())
    fields = _string("customerId") + _string(digest.customer_id) + _string("entries") + entries
    return name + fields + 32


def fits(digest: HolderDigest) -> bool:
    return digest_size(digest) <= DIGEST_BUDGET


def marked(digest: HolderDigest, touched: Iterable[str]) -> HolderDigest:
    """`digest` with every document in `touched` (to be written or deleted) listed as a mark:
    what is stored while a write of several batches is under way."""
    return HolderDigest(digest.customer_id, {**digest.entries, **dict.fromkeys(touched, MARK)})

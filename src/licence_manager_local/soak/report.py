"""The soak's verdict on paper: the reconciliation table, the other checks, what was explored,
and the evidence (each differing licence's history, and the log lines naming its requests)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from licence_manager_local.soak import checks
from licence_manager_local.soak.checks import RequestRecord, SettingsChange
from licence_manager_local.soak.collect import Snapshot
from licence_manager_local.soak.reconcile import LicenceRow, differences, reconcile
from licence_manager_local.soak.tally import Tally

Out = Callable[[str], None]


@dataclass
class Verdict:
    rows: list[LicenceRow]
    failures: list[str]  # one line per failed check, the table's differences included

    @property
    def clean(self) -> bool:
        return not self.failures


def judge(snapshot: Snapshot, saves: Iterable[SettingsChange]) -> Verdict:
    rows = reconcile(
        snapshot.changes,
        snapshot.audit,
        snapshot.invoiced,
        snapshot.google_totals,
        snapshot.recorded_totals,
    )
    failures = [f"{licence}: {what}" for licence, what in differences(rows)]
    for r in checks.non_final(snapshot.requests):
        failures.append(f"request {r.request_id} left {r.status}: {r.message or '-'}")
    for note in snapshot.stuck_notifications:
        failures.append(f"notification {note} never finished")
    for notification, to, copies in checks.duplicate_emails(snapshot.outbox):
        failures.append(f"notification {notification} emailed {copies}x to {to}")
    for chain, problems in checks.broken_chains(snapshot.chains).items():
        failures.append(f"audit chain {chain} does not verify: {'; '.join(problems[:3])}")
    for line in snapshot.undecodable_audit:
        failures.append(f"audit entry unreadable: {line}")
    for r, save in checks.bought_against_settings(snapshot.requests, saves):
        failures.append(
            f"request {r.request_id} (automatic, claimed {r.claimed_at:%H:%M:%S}) bought "
            f"{r.total_before}→{r.total_after} after settings saved {save.at:%H:%M:%S} had "
            + (
                "automatic top-ups off"
                if not save.auto_top_up
                else f"a cap of {save.max_total_seats}"
            )
        )
    return Verdict(rows, failures)


HEADER = (
    f"{'licence':<24} {'Google LM':>9} {'APPLIED':>7} {'invoiced':>8} "
    f"{'Google out':>10} {'recorded out':>12} {'inv. out':>8} {'Google':>6} {'recorded':>8}"
)


def table(rows: Iterable[LicenceRow], out: Out) -> None:
    out(HEADER)
    for r in rows:
        moved = r.google_lm or r.applied or r.invoiced_lm or r.google_outside or r.differences
        if not moved and r.recorded_total is None:
            continue  # a subscription Licence Manager does not manage (offline, not ours)
        out(
            f"{r.licence:<24} {r.google_lm:>9} {r.applied:>7} {r.invoiced_lm:>8} "
            f"{r.google_outside:>10} {r.recorded_outside:>12} {r.invoiced_outside:>8} "
            f"{_n(r.google_total):>6} {_n(r.recorded_total):>8}"
            + ("  DIFFERS" if r.differences else "")
        )


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def explored(
    snapshot: Snapshot, tally: Tally, logs: Path, wall: dict[str, float], out: Out
) -> None:
    syncs = Counter(_sync_outcomes(logs / "sync_usage.log"))
    out(
        f"syncs: {sum(syncs.values())} finished ({syncs['ok']} clean, {syncs['failed']} with "
        f"failures); {tally.get('scheduler.published')} scheduled"
    )
    out(
        f"drift: {tally.get('world.drift_steps')} steps, "
        f"{tally.get('world.subscriptions_drifted')} subscription usage changes"
    )
    by = Counter((r.source, r.kind, r.status) for r in snapshot.requests)
    out(f"requests: {len(snapshot.requests)}")
    for (source, kind, status), n in sorted(by.items()):
        out(f"  {source:<10} {kind:<13} {status:<11} {n}")
    google = Counter(c.by for c in snapshot.changes if c.delta)
    out(
        "seat changes at Google: "
        + ", ".join(f"{who} {n}" for who, n in sorted(google.items()))
        + f" (calls: {_counts(snapshot.simulator_calls)})"
    )
    out(f"notifications: {_counts(snapshot.notifications)}; emails sent {len(snapshot.outbox)}")
    for group in (
        "manual_additions",
        "settings_changes",
        "settings_saves",
        "outside_changes",
        "purchases",
    ):
        out(f"{group.replace('_', ' ')}: {_counts(tally.group(group)) or 'none'}")
    faults = tally.group("fault")
    out("faults injected: " + (_counts(faults) or "none"))
    out("  Reseller simulator says it injected: " + (_counts(snapshot.simulator_faults) or "none"))
    out("  SendGrid answers: " + _counts({str(k): v for k, v in snapshot.sendgrid_answers.items()}))
    out("processes killed: " + (_counts(tally.group("killed")) or "none"))
    mid = tally.group("killed_mid_request")
    if mid:
        out("  of which mid-request: " + _counts(mid))
    for group in ("injector_errors", "activity_errors"):
        if tally.group(group):
            out(f"{group.replace('_', ' ')}: {_counts(tally.group(group))}")
    out("wall time: " + ", ".join(f"{k} {_duration(v)}" for k, v in wall.items()))


def _sync_outcomes(path: Path) -> Iterable[str]:
    if not path.exists():
        return
    for line in path.read_text(errors="replace").splitlines():
        if "usage sync finished" not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        yield "failed" if entry.get("failures") else "ok"


def _counts(counts: dict[str, int] | Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v)


def _duration(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def evidence(
    verdict: Verdict, snapshot: Snapshot, logs: Path, out: Out, max_lines: int = 12
) -> None:
    """For each differing licence: its history (Google's changes, the audit entries that move
    seats or settings, its requests), then the log lines that name its requests."""
    for row in verdict.rows:
        if not row.differences:
            continue
        out(f"--- {row.licence}")
        for d in row.differences:
            out(f"  DIFFERENCE: {d}")
        events: list[tuple[str, str]] = []
        for c in snapshot.changes:
            if c.licence == row.licence:
                events.append(
                    (
                        c.at.isoformat(),
                        f"GOOGLE #{c.seq} {c.method} {c.before}→{c.after} by {c.caller}",
                    )
                )
        for a in snapshot.audit:
            if a.licence == row.licence and a.action not in ("LOW_LICENCE_ALERT",):
                events.append(
                    (
                        a.at.isoformat(),
                        f"AUDIT {a.seq} {a.action} {a.source} {a.before}→{a.after} "
                        f"by {a.actor}: {a.message[:140]}",
                    )
                )
        mine: list[RequestRecord] = [r for r in snapshot.requests if r.licence == row.licence]
        for r in mine:
            stamp = r.created_at.isoformat() if r.created_at else "?"
            events.append(
                (
                    stamp,
                    f"REQUEST {r.request_id} {r.source} {r.total_before}→{r.total_after} "
                    f"{r.status} claimed {_t(r.claimed_at)} sent {_t(r.change_sent_at)} "
                    f"finished {_t(r.finished_at)}: {r.message[:140]}",
                )
            )
        for stamp, line in sorted(events):
            out(f"  {stamp[11:23]} {line}")
        for r in mine:
            hits = _grep(logs, r.request_id, max_lines)
            for name, line in hits:
                out(f"  log {name}: {line[:300]}")


def _t(value: object) -> str:
    return "-" if value is None else f"{value:%H:%M:%S.%f}"[:12]


def _grep(logs: Path, needle: str, limit: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(logs.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if needle in line:
                found.append((path.stem, line))
                if len(found) >= limit:
                    return found
    return found

"""The results table, as Markdown, and its place in docs/performance.md (between markers)."""

from __future__ import annotations

import re
from pathlib import Path

from bench.common import Result

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def verdict(result: Result) -> str:
    if result.met is None:
        return "info"
    return "met" if result.met else "**missed**"


def table(results: list[Result]) -> str:
    lines = [
        "| Section | Measure | Result | Target | Verdict |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {_cell(r.section)} | {_cell(r.metric)} | {_cell(r.measured)} | "
            f"{_cell(r.target)} | {verdict(r)} |"
        )
    return "\n".join(lines)


def block(results: list[Result], command: str, when: str, machine: str, seconds: float) -> str:
    missed = [r for r in results if r.met is False]
    summary = (
        f"{sum(r.met is True for r in results)} targets met, {len(missed)} missed"
        f" ({', '.join(r.metric for r in missed)})"
        if missed
        else f"all {sum(r.met is True for r in results)} targets met"
    )
    return "\n".join(
        [
            START,
            f"Command: `{command}` · run {when} · {machine} · took {seconds / 60:.1f} min · "
            f"{summary}.",
            "",
            table(results),
            END,
        ]
    )


def write_into(doc: Path, text: str, start: str = START, end: str = END) -> None:
    """Replace the block of `doc` between the `start` and `end` markers (or append one)."""
    current = doc.read_text() if doc.exists() else ""
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text, current)
    else:
        updated = current.rstrip() + "\n\n" + text + "\n"
    doc.write_text(updated)

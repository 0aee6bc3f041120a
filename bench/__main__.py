"""`python -m bench [--quick] [--only SECTIONS] [--write-doc PATH]`; SECTIONS: comma-separated
of coldstart, sync, reaction, dashboard, monthend, events (all by default).

Runs the benchmark sections of issue 7 and prints the results table; writes every figure to
build/bench/results.json and the table to build/bench/results.md, and with --write-doc into
the results block of docs/performance.md. Exits 1 if a section could not run at all (a missed
target is a result, not an error)."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT, WORK, Result, log, machine
from bench.report import block, write_into

SECTIONS = ("coldstart", "sync", "reaction", "dashboard", "monthend", "events")


def _failed(section: str, error: BaseException) -> Result:
    traceback.print_exception(error)
    return Result(section, "section could not run", f"{type(error).__name__}: {error}", "", False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small worlds and samples (CI)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--write-doc", type=Path, help="update this document's results block")
    args = parser.parse_args(argv)
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: list[Result] = []
    crashed = False

    def section(name: str, label: str, work: Callable[[], list[Result]]) -> None:
        nonlocal crashed
        if name not in wanted:
            return
        log(f"== {label}")
        try:
            results.extend(work())
        except Exception as error:
            crashed = True
            results.append(_failed(label, error))

    from bench import cold_start, sync_scale

    section("coldstart", "4. Cold start", lambda: cold_start.run_section(args.quick))
    section("sync", "1. Sync at scale", lambda: sync_scale.run(args.quick))
    if "monthend" in wanted:
        from bench import month_end

        section("monthend", "5. Month-end job", lambda: month_end.run(args.quick))
    if {"reaction", "dashboard", "events"} & set(wanted):
        from bench import dashboard, event_path, reaction
        from bench.local_stack import local_stack

        try:
            with local_stack() as stack:
                quick = args.quick
                section("reaction", "2. Reaction time", lambda: reaction.run_section(stack, quick))
                section("dashboard", "3. Dashboard", lambda: dashboard.run_section(stack, quick))
                section("events", "6. Event path", lambda: event_path.run_section(stack, quick))
        except Exception as error:
            crashed = True
            results.append(_failed("local stack", error))
    results.sort(key=lambda r: r.section.split(".")[0])
    seconds = time.perf_counter() - started
    command = "make bench-quick" if args.quick else "make bench"
    if set(wanted) != set(SECTIONS):  # the block must not pass a partial run off as the whole
        command = f"python -m bench{' --quick' if args.quick else ''} --only {','.join(wanted)}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = block(results, command, when, machine(), seconds)
    (WORK / "results.md").write_text(text + "\n")
    (WORK / "results.json").write_text(
        json.dumps(
            {
                "command": command,
                "when": when,
                "machine": machine(),
                "seconds": seconds,
                "results": [r.to_json() for r in results],
            },
            indent=1,
            default=str,
        )
    )
    if args.write_doc:
        doc = args.write_doc if args.write_doc.is_absolute() else ROOT / args.write_doc
        write_into(doc, text)
        if "sync" in wanted and not crashed:
            from bench import scale

            write_into(doc, scale.block(), "<!-- bench:scale:start -->", "<!-- bench:scale:end -->")
    print(text)
    log(f"done in {seconds / 60:.1f} min; figures in {WORK / 'results.json'}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())

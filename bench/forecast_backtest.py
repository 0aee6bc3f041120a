"""`python -m bench.forecast_backtest [--series N] [--seed S]`: the run-out forecast's backtest
on simulated histories (issue 13), printed as the Markdown table docs/performance.md quotes."""

from __future__ import annotations

import argparse
import time

from licence_manager.domain.forecast_backtest import backtest, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast_backtest", description=__doc__)
    parser.add_argument("--series", type=int, default=40, help="simulated licences per scenario")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = backtest(series=args.series, seed=args.seed)
    print(table(results))
    print(
        f"\n{args.series} series per scenario, seed {args.seed}, "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

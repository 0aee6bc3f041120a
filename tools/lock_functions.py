"""Pin each function bundle's whole dependency set, with hashes, to what the tests ran on
(security review #15: what was tested is what deploys).

    python tools/lock_functions.py [--pip-compile PATH] [NAME ...]

For each functions/<name>/requirements.in (the packages the function imports directly), writes
functions/<name>/requirements.txt: every package it needs, transitive ones included, at the
version installed in the project's virtualenv (`pip freeze`, used as constraints), each with
the sha256 hashes of its files on PyPI, so Cloud Build installs exactly these in
--require-hashes mode. Needs pip-tools (`pip install pip-tools`, kept out of the project's own
dependencies) and PyPI. tests/infra/test_function_locks.py checks that each lock covers every
distribution the bundle imports, at the tested version."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER_COMMAND = "python tools/lock_functions.py"


def tested_versions(python: str = sys.executable) -> str:
    frozen = subprocess.run(
        [python, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return "\n".join(line for line in frozen.splitlines() if "==" in line) + "\n"


def lock(name: str, pip_compile: str, constraints: Path) -> None:
    folder = ROOT / "functions" / name
    subprocess.run(
        [
            pip_compile,
            "--quiet",
            "--generate-hashes",
            "--allow-unsafe",
            "--no-strip-extras",
            "--no-annotate",
            "--no-emit-index-url",
            "--no-emit-find-links",
            "--no-emit-trusted-host",
            f"--constraint={constraints}",
            "--output-file=requirements.txt",
            "requirements.in",
        ],
        cwd=folder,
        check=True,
        env={**os.environ, "CUSTOM_COMPILE_COMMAND": HEADER_COMMAND},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pip-compile", default="pip-compile", help="the pip-compile to run")
    parser.add_argument("names", nargs="*", help="functions (default: all)")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.parent.name for p in ROOT.glob("functions/*/requirements.in"))
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "tested.txt"
        constraints.write_text(tested_versions())
        for name in names:
            lock(name, args.pip_compile, constraints)
            print(f"functions/{name}/requirements.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())

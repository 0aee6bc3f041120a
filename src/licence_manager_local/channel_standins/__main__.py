"""`python -m licence_manager_local.channel_standins --port N`: serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import sys

from ..serving import serve_until_stopped
from .runner import start_channel_standin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m licence_manager_local.channel_standins")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8087)
    args = parser.parse_args(argv)
    standin = start_channel_standin(args.host, args.port)
    print(f"Chat / Slack / webhook stand-in listening on {standin.url}", flush=True)
    serve_until_stopped(standin.stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m licence_manager_local.sendgrid_standin`: serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ..serving import serve_until_stopped
from .events import EventSigner
from .runner import DEFAULT_API_KEY, start_sendgrid_standin
from .server import MAX_BODY_BYTES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m licence_manager_local.sendgrid_standin",
        description="Serve a local stand-in for SendGrid's v3 Mail Send endpoint.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8086, help="0 picks a free port")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key callers must send")
    parser.add_argument(
        "--restricted-key",
        action="append",
        default=[],
        metavar="KEY",
        help="a key without the mail.send scope (answered 403); repeatable",
    )
    parser.add_argument("--control", action="store_true", help="enable the /_control/ routes")
    parser.add_argument("--rate-limit", type=int, metavar="N", help="allow N sends per window")
    parser.add_argument("--rate-window", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--max-body-bytes", type=int, default=MAX_BODY_BYTES)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--event-webhook-url", help="post signed events here after each send")
    parser.add_argument(
        "--event-key-file", help="the PEM EC private key signing events (default: a new one)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    standin = start_sendgrid_standin(
        args.host,
        args.port,
        api_key=args.api_key,
        control=args.control,
        restricted_api_keys=args.restricted_key,
        max_body_bytes=args.max_body_bytes,
        log_requests=not args.quiet,
    )
    if args.event_key_file:
        with open(args.event_key_file, "rb") as pem:
            standin.app.event_webhook.signer = EventSigner(pem.read())
    if args.event_webhook_url:
        standin.app.event_webhook.url = args.event_webhook_url
        standin.app.event_webhook.auto = True
    if args.rate_limit is not None:
        standin.rate_limit.configure(args.rate_limit, args.rate_window)
    extras = [
        "control on" if args.control else "control off",
        f"{args.rate_limit} sends per {args.rate_window:g}s"
        if args.rate_limit
        else "no rate limit",
    ]
    print(f"SendGrid stand-in listening on {standin.url} ({', '.join(extras)})")
    print(
        f'  SendGridAPIClient(api_key="{standin.api_key}", host="{standin.url}")   Ctrl-C to stop',
        flush=True,
    )

    serve_until_stopped(standin.stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())

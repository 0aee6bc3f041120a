"""`licence-manager ops ...`: the Cloud Scheduler jobs of one deployment, for ops.

    licence-manager ops --project P --region R [--prefix lm] status
    licence-manager ops ... run-sync-now
    licence-manager ops ... pause-automation [--job sync-usage|month-end-report]
    licence-manager ops ... resume-automation [--job ...]
    licence-manager ops --project P pause-buying --reason "..." | resume-buying
    licence-manager ops --project P spending-limit --customer ID [--seats N] [--monthly-pounds N]
    licence-manager ops register-notifications --service-account SA   (prints the topic)
    licence-manager ops unregister-notifications --service-account SA | notification-details
    licence-manager ops --project P resume-top-ups --customer ID --sku SKU
    licence-manager ops --project P dead-letters list|show|redrive [--subscription ROUTE] ...
    licence-manager ops --project P resend-notification NOTIFICATION_ID
    licence-manager ops --project P verify-audit --customer ID [--sku SKU] [--against-export DAY]

--project, --region and --prefix default to $GOOGLE_CLOUD_PROJECT, $LICENCE_MANAGER_REGION and
$LICENCE_MANAGER_PREFIX (then "lm"), and may also follow the action."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TextIO

from licence_manager.ops import money, notifications, runbook, scheduler
from licence_manager.ops.scheduler import Deployment, OpsError, SchedulerClient
from licence_manager.ports.unit_of_work import UnitOfWork


class HasScheduler(runbook.RunbookClients, Protocol):
    """What `run` needs from licence_manager.cli.Clients."""

    @property
    def scheduler(self) -> Callable[[], SchedulerClient]: ...

    @property
    def reseller(self) -> Callable[[], Any]:
        """The Reseller API client, for the notification commands."""
        ...

    @property
    def unit_of_work(self) -> Callable[[str, str], UnitOfWork]:
        """(project, database) → the deployment's Firestore, for the buying commands."""
        ...


HOLD_NOTE = (
    "Top-up requests and alerts already queued are still delivered; README.md "
    "'Emergency stop' shows how to hold them too."
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ops = commands.add_parser(
        "ops",
        help="run, pause or resume the deployment's Cloud Scheduler jobs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _deployment_options(ops, suppress=False)
    actions = ops.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text, handler, takes_jobs in (
        ("status", "show each job's state, schedule, next and last run", _status, False),
        ("run-sync-now", "run the usage sync job once, now", _run_sync_now, False),
        ("pause-automation", "pause the scheduler jobs (emergency stop)", _pause, True),
        ("resume-automation", "resume the scheduler jobs", _resume, True),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        _deployment_options(action, suppress=True)
        if takes_jobs:
            action.add_argument(
                "--job",
                dest="jobs",
                action="append",
                choices=scheduler.JOBS,
                help="only this job (repeatable; default: all of them)",
            )
        action.set_defaults(handler=handler)
    money.register(actions)
    notifications.register(actions)
    runbook.register(actions)
    ops.set_defaults(run=run)


def _deployment_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Accepted before and after the action; after it, an absent option must not overwrite the
    # value given before it, hence SUPPRESS there.
    def default(value: str | None) -> str | None:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--project", default=default(os.environ.get("GOOGLE_CLOUD_PROJECT")), help="project id"
    )
    parser.add_argument(
        "--region",
        default=default(os.environ.get("LICENCE_MANAGER_REGION")),
        help="region of the scheduler jobs (terraform var.region)",
    )
    parser.add_argument(
        "--prefix",
        default=default(os.environ.get("LICENCE_MANAGER_PREFIX", scheduler.DEFAULT_PREFIX)),
        help="resource name prefix (terraform var.prefix)",
    )


def run(args: argparse.Namespace, clients: HasScheduler, out: TextIO) -> int:
    if getattr(args, "notify", None) is not None:
        # The Reseller API, with the deployment's delegated credentials: no project needed.
        notify: notifications.Handler = args.notify
        return notify(args, clients.reseller(), out)
    if getattr(args, "runbook", None) is not None:
        if not getattr(args, "project", None):
            print("licence-manager ops: --project required", file=sys.stderr)
            return 2
        return runbook.run(args, clients, out)
    if getattr(args, "money", None) is not None:
        # Firestore, not Cloud Scheduler: the project is enough.
        if not getattr(args, "project", None):
            print("licence-manager ops: --project required", file=sys.stderr)
            return 2
        handle: money.Handler = args.money
        uow = clients.unit_of_work(args.project, args.database)
        publisher = partial(clients.notification_publisher, args.project, args.prefix)
        return handle(args, uow, publisher, out)
    missing = [f"--{name}" for name in ("project", "region") if not getattr(args, name, None)]
    if missing:
        print(f"licence-manager ops: {' and '.join(missing)} required", file=sys.stderr)
        return 2
    deployment = Deployment(project=args.project, region=args.region, prefix=args.prefix)
    handler: Callable[[argparse.Namespace, SchedulerClient, Deployment, TextIO], int]
    handler = args.handler
    try:
        return handler(args, clients.scheduler(), deployment, out)
    except OpsError as error:
        print(f"licence-manager ops: {error}", file=sys.stderr)
        return 1


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if moment else "-"


def _status(
    args: argparse.Namespace, client: SchedulerClient, deployment: Deployment, out: TextIO
) -> int:
    rows = [("JOB", "STATE", "SCHEDULE", "NEXT RUN", "LAST ATTEMPT", "LAST RESULT")]
    for job in scheduler.status(client, deployment):
        rows.append(
            (
                deployment.job_id(job.job),
                job.state,
                f"{job.schedule} ({job.time_zone})",
                _when(job.next_run),
                _when(job.last_attempt),
                job.last_result,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=out,
        )
    return 0


def _run_sync_now(
    args: argparse.Namespace, client: SchedulerClient, deployment: Deployment, out: TextIO
) -> int:
    job = scheduler.run_sync_now(client, deployment)
    print(f"{deployment.job_id(job.job)}: run requested ({job.name}).", file=out)
    print('Follow it in the sync_usage logs: message "usage sync finished".', file=out)
    return 0


def _pause(
    args: argparse.Namespace, client: SchedulerClient, deployment: Deployment, out: TextIO
) -> int:
    changes = scheduler.pause(client, deployment, args.jobs or scheduler.JOBS)
    _report(changes, deployment, out)
    print(HOLD_NOTE, file=out)
    return 0


def _resume(
    args: argparse.Namespace, client: SchedulerClient, deployment: Deployment, out: TextIO
) -> int:
    _report(scheduler.resume(client, deployment, args.jobs or scheduler.JOBS), deployment, out)
    return 0


def _report(changes: list[scheduler.Change], deployment: Deployment, out: TextIO) -> None:
    for change in changes:
        what = f"{change.before} -> {change.after}" if change.changed else f"already {change.after}"
        print(f"{deployment.job_id(change.job)}: {what}", file=out)

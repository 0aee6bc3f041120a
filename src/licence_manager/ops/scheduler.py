"""The deployment's Cloud Scheduler jobs: look at them, run the sync now, pause or resume them.

Job names follow infra/terraform (locals.scheduler_jobs, scheduler.tf):
`projects/<project>/locations/<region>/jobs/<prefix>-<job>`. Pausing is what stops automation at
once: no sync runs, so no usage change can start a top-up; no sweep runs, so no stalled request is
driven again; and no month-end report goes out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

SYNC_JOB = "sync-usage"
MONTH_END_JOB = "month-end-report"
SWEEP_JOB = "sweep-requests"  # republishes stalled seat-change requests (issue 10, finding 6)
VERIFY_JOB = "sync-usage-verify"  # the daily sync that reads every licence (usage digest)
HOLDER_SYNC_JOB = "sync-holders"  # the daily holder sync (Licensing, Directory, Reports)
AUDIT_CHECK_JOB = "verify-audit"  # the daily audit check and head export (issue 15)
JOBS = (SYNC_JOB, MONTH_END_JOB, SWEEP_JOB, VERIFY_JOB, HOLDER_SYNC_JOB, AUDIT_CHECK_JOB)
DEFAULT_PREFIX = "lm"

ENABLED = "ENABLED"
PAUSED = "PAUSED"


class SchedulerClient(Protocol):
    """The part of google.cloud.scheduler_v1.CloudSchedulerClient the ops commands use."""

    def get_job(self, *, name: str) -> Any: ...

    def run_job(self, *, name: str) -> Any: ...

    def pause_job(self, *, name: str) -> Any: ...

    def resume_job(self, *, name: str) -> Any: ...


class OpsError(Exception):
    """Something an operator must act on; the message says what."""


@dataclass(frozen=True)
class Deployment:
    project: str
    region: str
    prefix: str = DEFAULT_PREFIX

    def job_id(self, job: str) -> str:
        return f"{self.prefix}-{job}"

    def job_name(self, job: str) -> str:
        return f"projects/{self.project}/locations/{self.region}/jobs/{self.job_id(job)}"


@dataclass(frozen=True)
class JobStatus:
    job: str
    name: str
    state: str
    schedule: str
    time_zone: str
    next_run: datetime | None
    last_attempt: datetime | None
    last_result: str  # "OK", "never run" or the error code and message of the last attempt

    @classmethod
    def from_job(cls, job: str, found: Any) -> JobStatus:
        status = found.status
        if found.last_attempt_time is None:
            result = "never run"
        elif status is None or not status.code:
            result = "OK"
        else:
            result = f"error {status.code}: {status.message}".rstrip(": ")
        return cls(
            job=job,
            name=found.name,
            state=found.state.name,
            schedule=found.schedule,
            time_zone=found.time_zone,
            next_run=found.schedule_time,
            last_attempt=found.last_attempt_time,
            last_result=result,
        )


@dataclass(frozen=True)
class Change:
    job: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _call(action: str, job: str, name: str, call: Any) -> Any:
    """Run one API call, turning the errors an operator can fix into an OpsError."""
    from google.api_core import exceptions

    try:
        return call(name=name)
    except exceptions.NotFound as error:
        raise OpsError(
            f"{job}: no job {name} (check --project, --region and --prefix against "
            "`terraform output scheduler_jobs`)"
        ) from error
    except exceptions.PermissionDenied as error:
        raise OpsError(
            f"{job}: permission denied to {action} {name}; ops need roles/cloudscheduler.admin "
            f"(or .jobRunner to run only): {error.message}"
        ) from error
    except exceptions.GoogleAPICallError as error:
        raise OpsError(f"{job}: could not {action} {name}: {error.message}") from error


def status(
    client: SchedulerClient, deployment: Deployment, jobs: Iterable[str] = JOBS
) -> list[JobStatus]:
    return [
        JobStatus.from_job(job, _call("read", job, deployment.job_name(job), client.get_job))
        for job in jobs
    ]


def run_sync_now(client: SchedulerClient, deployment: Deployment) -> JobStatus:
    """Run the usage sync job once, now. Refused while automation is paused: a sync can start
    top-ups, which is what the pause is there to stop."""
    name = deployment.job_name(SYNC_JOB)
    current = JobStatus.from_job(SYNC_JOB, _call("read", SYNC_JOB, name, client.get_job))
    if current.state != ENABLED:
        raise OpsError(
            f"{SYNC_JOB} is {current.state}: automation is paused, and a sync can trigger "
            "top-ups. Run resume-automation first if that is what you mean."
        )
    return JobStatus.from_job(SYNC_JOB, _call("run", SYNC_JOB, name, client.run_job))


def pause(
    client: SchedulerClient, deployment: Deployment, jobs: Sequence[str] = JOBS
) -> list[Change]:
    return _set_state(client, deployment, jobs, target=PAUSED)


def resume(
    client: SchedulerClient, deployment: Deployment, jobs: Sequence[str] = JOBS
) -> list[Change]:
    return _set_state(client, deployment, jobs, target=ENABLED)


def _set_state(
    client: SchedulerClient, deployment: Deployment, jobs: Sequence[str], target: str
) -> list[Change]:
    # Cloud Scheduler pauses only an ENABLED job and resumes only a PAUSED one, so read first:
    # asking twice is then harmless, which is what an operator does in an emergency.
    changes = []
    for job in jobs:
        name = deployment.job_name(job)
        before = _call("read", job, name, client.get_job).state.name
        if before == target:
            changes.append(Change(job, before, before))
            continue
        if target == PAUSED:
            after = _call("pause", job, name, client.pause_job).state.name
        else:
            after = _call("resume", job, name, client.resume_job).state.name
        changes.append(Change(job, before, after))
    return changes


def default_client() -> SchedulerClient:
    """Google's client with Application Default Credentials (`gcloud auth application-default
    login`)."""
    from google.cloud import scheduler_v1

    client: SchedulerClient = scheduler_v1.CloudSchedulerClient()
    return client

"""`licence-manager ops` against a stand-in Cloud Scheduler that speaks the real wire format: a
gRPC server on localhost implementing google.cloud.scheduler.v1.CloudScheduler's GetJob,
RunJob, PauseJob and ResumeJob with the library's own protobuf messages, reached through the
real CloudSchedulerClient and its gRPC transport. The stand-in keeps Cloud Scheduler's rules
that matter here: only an ENABLED job can be paused, only a PAUSED one resumed, an unknown job
is NOT_FOUND."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from google.cloud.scheduler_v1 import CloudSchedulerClient, Job
from google.cloud.scheduler_v1.services.cloud_scheduler.transports import (
    CloudSchedulerGrpcTransport,
)
from google.cloud.scheduler_v1.types import cloudscheduler
from google.rpc import status_pb2

from licence_manager.cli import Clients, main
from licence_manager.ops import commands, scheduler

PROJECT, REGION, PREFIX = "lm-prod", "europe-west2", "lm"
SYNC = f"projects/{PROJECT}/locations/{REGION}/jobs/lm-sync-usage"
MONTH_END = f"projects/{PROJECT}/locations/{REGION}/jobs/lm-month-end-report"
SWEEP = f"projects/{PROJECT}/locations/{REGION}/jobs/lm-sweep-requests"
VERIFY = f"projects/{PROJECT}/locations/{REGION}/jobs/lm-sync-usage-verify"
HOLDERS = f"projects/{PROJECT}/locations/{REGION}/jobs/lm-sync-holders"
AUDIT = f"projects/{PROJECT}/locations/{REGION}/jobs/lm-verify-audit"
OPS = ["ops", "--project", PROJECT, "--region", REGION, "--prefix", PREFIX]


class FakeCloudScheduler:
    """Cloud Scheduler's job states, for the four calls the ops commands make."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []
        self.routing: list[str] = []
        self.denied: set[str] = set()
        self.jobs = {
            SYNC: Job(
                name=SYNC,
                schedule="*/5 * * * *",
                time_zone="Etc/UTC",
                state=Job.State.ENABLED,
                schedule_time=datetime(2026, 11, 28, 17, 35, tzinfo=UTC),
                last_attempt_time=datetime(2026, 11, 28, 17, 30, tzinfo=UTC),
            ),
            MONTH_END: Job(
                name=MONTH_END,
                schedule="0 6 1 * *",
                time_zone="Europe/London",
                state=Job.State.ENABLED,
                schedule_time=datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
                last_attempt_time=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
                status=status_pb2.Status(code=5, message="Topic not found"),
            ),
            SWEEP: Job(
                name=SWEEP,
                schedule="*/5 * * * *",
                time_zone="Etc/UTC",
                state=Job.State.ENABLED,
                schedule_time=datetime(2026, 11, 28, 17, 35, tzinfo=UTC),
            ),
            VERIFY: Job(
                name=VERIFY,
                schedule="17 3 * * *",
                time_zone="Etc/UTC",
                state=Job.State.ENABLED,
                schedule_time=datetime(2026, 11, 29, 3, 17, tzinfo=UTC),
            ),
            HOLDERS: Job(
                name=HOLDERS,
                schedule="41 3 * * *",
                time_zone="Etc/UTC",
                state=Job.State.ENABLED,
                schedule_time=datetime(2026, 11, 29, 3, 41, tzinfo=UTC),
            ),
            AUDIT: Job(
                name=AUDIT,
                schedule="23 4 * * *",
                time_zone="Etc/UTC",
                state=Job.State.ENABLED,
                schedule_time=datetime(2026, 11, 29, 4, 23, tzinfo=UTC),
            ),
        }

    def _job(self, method: str, request: Any, context: grpc.ServicerContext) -> Job:
        metadata = dict(context.invocation_metadata())
        with self.lock:
            self.calls.append((method, request.name))
            self.routing.append(str(metadata.get("x-goog-request-params", "")))
        if request.name in self.denied:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "The caller does not have permission")
        if request.name not in self.jobs:
            context.abort(grpc.StatusCode.NOT_FOUND, "Job not found.")
        return self.jobs[request.name]

    def get_job(self, request: Any, context: grpc.ServicerContext) -> Job:
        return self._job("GetJob", request, context)

    def run_job(self, request: Any, context: grpc.ServicerContext) -> Job:
        job = self._job("RunJob", request, context)
        job.last_attempt_time = datetime.now(UTC)
        return job

    def pause_job(self, request: Any, context: grpc.ServicerContext) -> Job:
        job = self._job("PauseJob", request, context)
        if job.state != Job.State.ENABLED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "Job must be ENABLED to pause.")
        job.state = Job.State.PAUSED
        return job

    def resume_job(self, request: Any, context: grpc.ServicerContext) -> Job:
        job = self._job("ResumeJob", request, context)
        if job.state != Job.State.PAUSED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "Job must be PAUSED to resume.")
        job.state = Job.State.ENABLED
        return job

    def handler(self) -> grpc.GenericRpcHandler:
        def unary(method: Any, request_type: Any) -> grpc.RpcMethodHandler:
            return grpc.unary_unary_rpc_method_handler(
                method,
                request_deserializer=request_type.deserialize,
                response_serializer=Job.serialize,
            )

        return grpc.method_handlers_generic_handler(
            "google.cloud.scheduler.v1.CloudScheduler",
            {
                "GetJob": unary(self.get_job, cloudscheduler.GetJobRequest),
                "RunJob": unary(self.run_job, cloudscheduler.RunJobRequest),
                "PauseJob": unary(self.pause_job, cloudscheduler.PauseJobRequest),
                "ResumeJob": unary(self.resume_job, cloudscheduler.ResumeJobRequest),
            },
        )

    def changes(self) -> list[tuple[str, str]]:
        return [(m, n) for m, n in self.calls if m != "GetJob"]


@pytest.fixture
def cloud_scheduler() -> Iterator[tuple[FakeCloudScheduler, Clients]]:
    fake = FakeCloudScheduler()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((fake.handler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")

    def client() -> CloudSchedulerClient:
        return CloudSchedulerClient(transport=CloudSchedulerGrpcTransport(channel=channel))

    try:
        yield fake, Clients(scheduler=client)
    finally:
        channel.close()
        server.stop(grace=None)


def run(clients: Clients, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*OPS, *args], clients=clients, out=out)
    return code, out.getvalue()


def test_status_shows_each_job(cloud_scheduler: tuple[FakeCloudScheduler, Clients]) -> None:
    fake, clients = cloud_scheduler
    code, output = run(clients, "status")
    assert code == 0
    lines = output.splitlines()
    assert lines[0].split() == [
        "JOB",
        "STATE",
        "SCHEDULE",
        "NEXT",
        "RUN",
        "LAST",
        "ATTEMPT",
        "LAST",
        "RESULT",
    ]
    assert lines[1].startswith("lm-sync-usage ")
    assert "ENABLED" in lines[1] and "*/5 * * * * (Etc/UTC)" in lines[1]
    assert "2026-11-28 17:35:00 UTC" in lines[1] and lines[1].endswith("OK")
    assert lines[2].startswith("lm-month-end-report ")
    assert "0 6 1 * * (Europe/London)" in lines[2]
    assert lines[2].endswith("error 5: Topic not found")
    assert lines[3].startswith("lm-sweep-requests ")
    assert "*/5 * * * * (Etc/UTC)" in lines[3] and lines[3].endswith("never run")
    assert lines[4].startswith("lm-sync-usage-verify ") and "17 3 * * *" in lines[4]
    assert lines[5].startswith("lm-sync-holders ") and "41 3 * * *" in lines[5]
    assert lines[6].startswith("lm-verify-audit ") and "23 4 * * *" in lines[6]
    jobs = [SYNC, MONTH_END, SWEEP, VERIFY, HOLDERS, AUDIT]
    assert fake.calls == [("GetJob", job) for job in jobs]
    # The real client routes each call by the job's resource name.
    assert fake.routing == [f"name={job}" for job in jobs]


def test_pause_then_resume_automation(cloud_scheduler: tuple[FakeCloudScheduler, Clients]) -> None:
    fake, clients = cloud_scheduler
    code, output = run(clients, "pause-automation")
    assert code == 0
    assert output.splitlines()[:6] == [
        "lm-sync-usage: ENABLED -> PAUSED",
        "lm-month-end-report: ENABLED -> PAUSED",
        "lm-sweep-requests: ENABLED -> PAUSED",
        "lm-sync-usage-verify: ENABLED -> PAUSED",
        "lm-sync-holders: ENABLED -> PAUSED",
        "lm-verify-audit: ENABLED -> PAUSED",
    ]
    assert commands.HOLD_NOTE in output
    assert {j.state for j in fake.jobs.values()} == {Job.State.PAUSED}

    # Asking again in a hurry is harmless: nothing to pause, no failed call.
    code, output = run(clients, "pause-automation")
    assert code == 0
    assert output.splitlines()[:6] == [
        "lm-sync-usage: already PAUSED",
        "lm-month-end-report: already PAUSED",
        "lm-sweep-requests: already PAUSED",
        "lm-sync-usage-verify: already PAUSED",
        "lm-sync-holders: already PAUSED",
        "lm-verify-audit: already PAUSED",
    ]

    code, output = run(clients, "resume-automation")
    assert code == 0
    assert output.splitlines() == [
        "lm-sync-usage: PAUSED -> ENABLED",
        "lm-month-end-report: PAUSED -> ENABLED",
        "lm-sweep-requests: PAUSED -> ENABLED",
        "lm-sync-usage-verify: PAUSED -> ENABLED",
        "lm-sync-holders: PAUSED -> ENABLED",
        "lm-verify-audit: PAUSED -> ENABLED",
    ]
    assert fake.changes() == [
        ("PauseJob", SYNC),
        ("PauseJob", MONTH_END),
        ("PauseJob", SWEEP),
        ("PauseJob", VERIFY),
        ("PauseJob", HOLDERS),
        ("PauseJob", AUDIT),
        ("ResumeJob", SYNC),
        ("ResumeJob", MONTH_END),
        ("ResumeJob", SWEEP),
        ("ResumeJob", VERIFY),
        ("ResumeJob", HOLDERS),
        ("ResumeJob", AUDIT),
    ]


def test_pause_one_job(cloud_scheduler: tuple[FakeCloudScheduler, Clients]) -> None:
    fake, clients = cloud_scheduler
    code, output = run(clients, "pause-automation", "--job", "sync-usage")
    assert code == 0
    assert fake.changes() == [("PauseJob", SYNC)]
    assert fake.jobs[MONTH_END].state == Job.State.ENABLED
    assert output.startswith("lm-sync-usage: ENABLED -> PAUSED\n")


def test_run_sync_now(cloud_scheduler: tuple[FakeCloudScheduler, Clients]) -> None:
    fake, clients = cloud_scheduler
    code, output = run(clients, "run-sync-now")
    assert code == 0
    assert fake.changes() == [("RunJob", SYNC)]
    assert output.startswith(f"lm-sync-usage: run requested ({SYNC}).")


def test_run_sync_now_is_refused_while_paused(
    cloud_scheduler: tuple[FakeCloudScheduler, Clients], capsys: pytest.CaptureFixture[str]
) -> None:
    fake, clients = cloud_scheduler
    fake.jobs[SYNC].state = Job.State.PAUSED
    code, output = run(clients, "run-sync-now")
    assert code == 1
    assert output == ""
    assert "sync-usage is PAUSED" in capsys.readouterr().err
    assert fake.changes() == []


def test_a_wrong_prefix_names_the_missing_job(
    cloud_scheduler: tuple[FakeCloudScheduler, Clients], capsys: pytest.CaptureFixture[str]
) -> None:
    _fake, clients = cloud_scheduler
    out = io.StringIO()
    argv = ["ops", "--project", PROJECT, "--region", REGION, "--prefix", "other", "status"]
    assert main(argv, clients=clients, out=out) == 1
    error = capsys.readouterr().err
    assert "projects/lm-prod/locations/europe-west2/jobs/other-sync-usage" in error
    assert "--prefix" in error


def test_permission_denied_says_which_role_is_missing(
    cloud_scheduler: tuple[FakeCloudScheduler, Clients], capsys: pytest.CaptureFixture[str]
) -> None:
    fake, clients = cloud_scheduler
    fake.denied.add(SYNC)
    code, _output = run(clients, "pause-automation")
    assert code == 1
    assert "roles/cloudscheduler.admin" in capsys.readouterr().err
    assert fake.changes() == []


def test_options_may_follow_the_action_or_come_from_the_environment(
    cloud_scheduler: tuple[FakeCloudScheduler, Clients], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, clients = cloud_scheduler
    after = ["ops", "status", "--project", PROJECT, "--region", REGION]
    assert main(after, clients=clients, out=io.StringIO()) == 0
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("LICENCE_MANAGER_REGION", REGION)
    monkeypatch.setenv("LICENCE_MANAGER_PREFIX", PREFIX)
    assert main(["ops", "run-sync-now"], clients=clients, out=io.StringIO()) == 0
    assert fake.changes() == [("RunJob", SYNC)]


def test_project_and_region_are_required(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("LICENCE_MANAGER_REGION", raising=False)

    def unreachable() -> scheduler.SchedulerClient:
        raise AssertionError("no client is built without a deployment")

    assert main(["ops", "status"], clients=Clients(scheduler=unreachable)) == 2
    assert "--project and --region required" in capsys.readouterr().err


def test_the_command_line_imports_no_google_library_until_it_calls_google() -> None:
    probe = (
        "import sys\n"
        "from licence_manager.cli import build_parser\n"
        "build_parser().parse_args(['ops', '--project', 'p', '--region', 'r', 'status'])\n"
        "print(sorted(m for m, module in sys.modules.items()\n"
        "             if m.startswith(('google', 'grpc')) and getattr(module, '__file__', None)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == "[]"


def test_the_console_script_is_installed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "licence_manager.cli", "ops", "--help"],
        check=True,
        capture_output=True,
        text=True,
    )
    for action in ("status", "run-sync-now", "pause-automation", "resume-automation"):
        assert action in result.stdout

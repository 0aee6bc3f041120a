"""The lifeline launcher and the port checks of `make run`, on plain processes (no emulators):
a service and what it starts die with the process that launched it, however that ends; a port
someone else holds is refused, naming them; a port answered by a stranger is not called ours."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from licence_manager_local import listeners, run
from licence_manager_local.emulators import free_port
from licence_manager_local.lifeline import guarded
from licence_manager_local.port_checks import StartRefused, check_ours
from tests.local.processes import wait_until_gone


def wait_for_tree(root: int, at_least: int, timeout: float = 20.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = listeners.descendants(root)
        if len(found) >= at_least:
            return found
        time.sleep(0.05)
    raise AssertionError(f"only {listeners.descendants(root)} below {root}")


# A parent that launches, through the lifeline, a shell that starts a grandchild of its own, then
# waits to be told how to end.
PARENT = textwrap.dedent(
    """
    import subprocess, sys, time
    from licence_manager_local.lifeline import guarded
    subprocess.Popen(guarded(["sh", "-c", "sleep 300 & sleep 300"]), start_new_session=True)
    time.sleep(300)
    """
)


@pytest.fixture
def parent() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", PARENT])
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.mark.parametrize(
    "sig",
    [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
    ids=lambda sig: sig.name,
)
def test_a_launched_tree_dies_with_its_parent(
    parent: subprocess.Popen[bytes], sig: signal.Signals
) -> None:
    # launcher, sh, two sleeps: the grandchildren matter (java's, gunicorn's workers)
    tree = wait_for_tree(parent.pid, at_least=4)
    os.kill(parent.pid, sig)
    parent.wait(timeout=10)
    assert wait_until_gone(tree) == set(), "processes outlived their parent"


def test_a_service_started_from_a_passing_thread_lives_on() -> None:
    """The kernel's parent-death signal fires when the forking *thread* ends (the soak restarts
    services from short-lived threads): the launcher must not take that for its parent's end."""
    started: list[subprocess.Popen[bytes]] = []

    def launch() -> None:
        started.append(subprocess.Popen(guarded(["sleep", "300"]), start_new_session=True))

    thread = threading.Thread(target=launch)
    thread.start()
    thread.join()
    launcher = started[0]
    try:
        time.sleep(1.0)  # well past the launcher's poll
        assert launcher.poll() is None, "the launcher ended with the thread that started it"
    finally:
        os.killpg(launcher.pid, signal.SIGTERM)
        assert launcher.wait(timeout=10) == 128 + signal.SIGTERM


def test_the_launcher_passes_the_command_exit_status_on_and_spares_its_callers_group() -> None:
    # Not in a session of its own: the launcher must still end only its own group, not ours.
    done = subprocess.run(guarded([sys.executable, "-c", "raise SystemExit(3)"]), timeout=30)
    assert done.returncode == 3


@pytest.fixture
def listening() -> Iterator[int]:
    """A port this test process listens on, as another server would."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_listening_port_is_found_with_its_holder(listening: int) -> None:
    assert not listeners.is_free(listening)
    assert [h.pid for h in listeners.holders(listening)] == [os.getpid()]
    assert f"pid {os.getpid()} (" in listeners.describe_holder(listening)
    assert listeners.holders(free_port()) == []


def test_make_run_refuses_a_taken_port_before_starting_anything(
    listening: int, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "licence_manager_local.run", "--port", str(listening)]
    process = subprocess.Popen(
        [*command, "--workdir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert f"port {listening} (the dashboard and its API) is already in use" in output
    assert f"pid {os.getpid()} (" in output  # what holds it: this test
    assert "make run PORT=8081" in output and "--port" in output
    assert "Nothing was started" in output
    assert "running locally" not in output
    assert "stopping everything" not in output
    assert not (tmp_path / "logs").exists() or not any((tmp_path / "logs").iterdir())


def test_a_port_answered_by_a_stranger_is_not_called_ours(listening: int, tmp_path: Path) -> None:
    stack = run.Stack(tmp_path)
    try:
        with pytest.raises(StartRefused, match=f"pid {os.getpid()} .*not by make run's api"):
            check_ours(stack.pids(), stack.logs, {"api": listening})
        ours = free_port()
        server = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(ours)]
        stack.spawn("server", server, dict(os.environ))
        run.wait_http(f"http://127.0.0.1:{ours}/")
        check_ours(
            stack.pids(), stack.logs, {"server": ours}
        )  # our own process (below the launcher): fine
        with pytest.raises(StartRefused, match=r"nothing answers on port .* make run's nobody"):
            check_ours(
                stack.pids(), stack.logs, {"nobody": free_port()}
            )  # nothing answers: not ours either
    finally:
        stack.stop()

"""A tiny launcher that ties a command, and everything the command starts, to the life of the
process that launched it: `make run` starts every service through it, so that nothing outlives
`make run` however it ends, SIGKILL included (a killed process cannot clean up after itself).

    python -m licence_manager_local.lifeline --parent PID -- COMMAND [ARG...]

The launcher is the leader of its own process group (its launcher starts it in a new session),
runs COMMAND in that group and waits. It ends the whole group (COMMAND and anything COMMAND
started, e.g. gunicorn's workers) when:
  - PID dies: the kernel tells it at once (prctl PR_SET_PDEATHSIG) and, as a backstop, it
    notices its parent pid change within POLL_SECONDS;
  - it is asked to stop (SIGTERM, SIGINT, SIGHUP): COMMAND gets SIGTERM, then SIGKILL after
    GRACE_SECONDS;
  - COMMAND exits (its exit status is the launcher's).
COMMAND itself dies with the launcher (PR_SET_PDEATHSIG = SIGKILL), should the launcher be
SIGKILLed alone.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# The kernel sends the death signal when the *thread* that forked us ends, not only when the
# process does (a soak restarts services from short-lived threads): so the launcher asks for a
# signal it can check, and only acts when its parent pid has really changed.
PARENT_DIED = signal.SIGUSR2
POLL_SECONDS = 0.25
GRACE_SECONDS = 5.0


def _prctl() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    return getattr(libc, "prctl", None)


_PRCTL = _prctl()  # loaded before any fork: a preexec_fn must not import or dlopen


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent ends (Linux only; elsewhere
    the launcher's parent-pid poll still applies). Safe in a preexec_fn."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def guarded(argv: list[str], parent: int | None = None) -> list[str]:
    """`argv`, run through the launcher so that it dies with `parent` (default: this process).
    Start the result with start_new_session=True: the launcher leads the group it ends."""
    parent = os.getpid() if parent is None else parent
    launcher = [sys.executable, "-m", "licence_manager_local.lifeline", "--parent", str(parent)]
    return [*launcher, "--", *argv]


def _group_members(pgid: int) -> list[int]:
    """Every other live process of process group `pgid`."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        # fields: state, ppid, pgrp, ...; a zombie has already ended.
        if pid != os.getpid() and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(pid)
    return members


def _kill_group(sig: int) -> None:
    for pid in _group_members(os.getpgrp()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


class Launcher:
    def __init__(self, parent: int, argv: list[str]) -> None:
        self.parent = parent
        self.argv = argv
        # A plain flag: signal handlers must not take locks the main thread may hold.
        self.stopping = False

    def parent_gone(self) -> bool:
        return os.getppid() != self.parent

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def _maybe_orphaned(self, *_: object) -> None:
        if self.parent_gone():
            self.stopping = True

    def run(self) -> int:
        if os.getpgrp() != os.getpid():
            # Lead a group of our own, whoever started us: the group is what we end, and it
            # must never be our caller's (a test runner's, a shell's).
            os.setpgid(0, 0)
        die_with_parent(PARENT_DIED)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._stop)
        signal.signal(PARENT_DIED, self._maybe_orphaned)
        if self.parent_gone():  # it died before the death signal was armed
            return 1
        # The launcher has one thread, so a preexec_fn is safe here.
        child = subprocess.Popen(self.argv, preexec_fn=die_with_parent)
        while not self.stopping and not self.parent_gone():
            try:
                child.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                continue
        if child.poll() is None:
            # The whole group, as `make run` stops it: gunicorn's workers hear it directly.
            _kill_group(signal.SIGTERM)
            try:
                child.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        # Whatever the command started and left behind (workers, helpers) goes with it.
        _kill_group(signal.SIGKILL)
        return child.returncode if child.returncode >= 0 else 128 - child.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parent", type=int, required=True, help="die with this process")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = parser.parse_args(argv)
    argv_ = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not argv_:
        parser.error("no command given")
    return Launcher(args.parent, argv_).run()


if __name__ == "__main__":
    sys.exit(main())

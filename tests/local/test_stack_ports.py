"""free_port hands each server of the local stack its own port. The kernel may give a port it
handed out a moment ago once its probe socket is closed; a stack that started the simulator and
the channel stand-ins on the same number sent the simulator's control calls to the stand-ins
(CI: "simulator control answered 404: not found")."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from licence_manager_local import emulators, run


class RepeatingKernel:
    """A socket whose bind to port 0 gets the same port twice in a row, as Linux may."""

    ports: Iterator[int]

    def __init__(self, *_: object) -> None:
        self._port = 0

    def __enter__(self) -> RepeatingKernel:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def bind(self, address: tuple[str, int]) -> None:
        self._port = next(self.ports)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self._port)


def test_a_port_the_kernel_gives_again_is_not_handed_out_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    RepeatingKernel.ports = iter([40001, 40001, 40001, 40002])
    # Ports earlier tests took in this process are not this test's business.
    monkeypatch.setattr(emulators, "_HANDED_OUT", set())
    monkeypatch.setattr(emulators.socket, "socket", RepeatingKernel)
    assert emulators.free_port() == 40001
    assert emulators.free_port() == 40002


def test_free_ports_are_real_and_distinct() -> None:
    ports = [emulators.free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))  # nothing listens on it


def test_a_server_that_ended_while_the_stack_started_is_named(tmp_path: Path) -> None:
    stack = run.Stack(tmp_path)
    try:
        stack.spawn("alive", [sys.executable, "-c", "import time; time.sleep(30)"], {})
        stack.check_running()  # nothing ended: no complaint
        stack.spawn(
            "simulator",
            [sys.executable, "-c", "print('OSError: [Errno 98] Address already in use'); exit(1)"],
            {},
        )
        stack.process("simulator").wait(timeout=30)
        log = tmp_path / "logs" / "simulator.log"
        for _ in range(100):  # a thread copies its output to the log
            if log.exists() and log.read_text():
                break
            time.sleep(0.05)
        with pytest.raises(RuntimeError, match=r"simulator exited \(code 1\)") as raised:
            stack.check_running()
        assert "Address already in use" in str(raised.value)
    finally:
        stack.stop()

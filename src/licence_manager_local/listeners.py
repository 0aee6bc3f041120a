"""Who listens on a TCP port, read from Linux's /proc: so that `make run` can refuse a port that
is taken (naming what holds it) before it starts anything, and check afterwards that what answers
on each of its ports is a process it started, not another server that got there first.

/proc/net/tcp{,6} list listening sockets with their inode; /proc/<pid>/fd links name the socket
inodes each process holds. Processes of other users are invisible without privileges: then the
port is still known to be taken, and `ss -ltnp` (when installed) is asked as well."""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column


@dataclass(frozen=True)
class Holder:
    """A process listening on a port."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.command})"


def can_see() -> bool:
    """Whether this system shows sockets and processes in /proc (Linux)."""
    return (PROC / "net" / "tcp").is_file()


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on host:port now (as our services will, SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
        return True


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def _command_of(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part) or "?"


def holders(port: int) -> list[Holder]:
    """The processes we can see listening on `port` (any address)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return []
    found = []
    for fd_dir in PROC.glob("[0-9]*/fd"):
        if _socket_links(fd_dir) & wanted:
            pid = int(fd_dir.parent.name)
            found.append(Holder(pid, _command_of(pid)))
    return sorted(found, key=lambda h: h.pid)


def _socket_links(fd_dir: Path) -> set[str]:
    try:
        fds = list(fd_dir.iterdir())
    except OSError:  # another user's process, or it just ended
        return set()
    links = set()
    for fd in fds:
        try:
            links.add(str(fd.readlink()))
        except OSError:  # closed meanwhile (the listing's own descriptor, for one)
            continue
    return links


def _ss_says(port: int) -> str:
    """`ss -ltnp`'s line for the port, when ss is installed and shows it."""
    ss = shutil.which("ss")
    if ss is None:
        return ""
    try:
        out = subprocess.run(
            [ss, "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return " ".join(out.split())


def describe_holder(port: int) -> str:
    """What holds `port`, as well as we can tell."""
    seen = holders(port)
    if seen:
        return ", ".join(str(h) for h in seen)
    ss = _ss_says(port)
    if ss:
        return f"a process `ss -ltnp` shows as: {ss}"
    return "a process this user cannot see (another user's, or outside this container)"


def parents() -> dict[int, int]:
    """Every visible process's parent pid."""
    found = {}
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            # The command (in parentheses) may hold spaces; the fields after it do not.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            found[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    return found


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, their children, ...)."""
    tree = parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def strangers_on(port: int, ours: set[int]) -> list[Holder]:
    """Listeners on `port` that are not among the processes `ours`."""
    return [h for h in holders(port) if h.pid not in ours]

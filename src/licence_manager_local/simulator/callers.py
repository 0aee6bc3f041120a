"""Who is calling: the local process behind an API call, for the change log.

Google knows which credentials made every change; locally the functions call the simulator with
none, so the one honest identity is the process at the other end of the TCP connection. Linux
tells us through /proc: the client socket's inode (from /proc/net/tcp), then the process holding
that inode, then its command line (functions-framework names its `--target`). Only seat-changing
calls ask, so the scan of /proc costs nothing that matters.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_PROC = Path("/proc")


def identify(environ: Mapping[str, Any]) -> str:
    """`function:<name> pid=N`, `process:<argv> pid=N`, or the peer address when unknown."""
    peer = f"{environ.get('REMOTE_ADDR', '?')}:{environ.get('REMOTE_PORT', '?')}"
    try:
        client_port = int(environ.get("REMOTE_PORT", ""))
        server_port = int(environ.get("SERVER_PORT", ""))
    except ValueError:
        return f"peer:{peer}"
    inode = _socket_inode(client_port, server_port)
    pid = _pid_holding(inode) if inode else None
    if pid is None:
        return f"peer:{peer}"
    return f"{describe_process(pid)} pid={pid}"


def describe_process(pid: int) -> str:
    try:
        argv = (_PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return "process:?"
    words = [a.decode(errors="replace") for a in argv if a]
    if "--target" in words[:-1]:
        return f"function:{words[words.index('--target') + 1]}"
    if "-m" in words[:-1]:
        return f"process:{words[words.index('-m') + 1]}"
    return f"process:{' '.join(Path(w).name for w in words[:2])}"


def _socket_inode(client_port: int, server_port: int) -> str | None:
    # The client's side of the connection: local port = the peer port we saw, remote = ours.
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            local, remote = fields[1], fields[2]
            # A closed connection lingering in TIME_WAIT (inode 0) can share the ports: Linux
            # reuses loopback ports from TIME_WAIT at once, so skip it for the live one.
            if _port(local) == client_port and _port(remote) == server_port and fields[9] != "0":
                return fields[9]
    return None


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)


def _pid_holding(inode: str) -> int | None:
    target = f"socket:[{inode}]"
    uid = os.getuid()
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) == target:
                    return int(entry.name)
        except OSError:
            continue
    return None

"""Google's Firestore and Pub/Sub emulators, found where the Google Cloud CLI installed them and
started directly from their jars (faster than `gcloud emulators ...`). Never downloaded."""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from licence_manager_local.lifeline import guarded

INSTALL_HELP = """\
Licence Manager runs locally on Google's own Firestore and Pub/Sub emulators, which need:
  - a Java runtime, 17 or newer (e.g. `sudo apt-get install openjdk-17-jre-headless`);
  - the Google Cloud CLI with its emulator components:
      gcloud components install cloud-firestore-emulator pubsub-emulator beta
    (or, for an apt-installed CLI: sudo apt-get install google-cloud-cli-firestore-emulator
     google-cloud-cli-pubsub-emulator).
Set GCLOUD_SDK_ROOT if the CLI lives somewhere unusual."""


class EmulatorsMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class EmulatorJars:
    java: str
    firestore: Path
    pubsub: Path


def _sdk_roots() -> list[Path]:
    roots = [
        os.environ.get("GCLOUD_SDK_ROOT", ""),
        "/usr/lib/google-cloud-sdk",
        "/usr/share/google-cloud-sdk",
        "/opt/google-cloud-sdk",
        str(Path.home() / "google-cloud-sdk"),
    ]
    gcloud = shutil.which("gcloud")
    if gcloud:
        roots.append(str(Path(os.path.realpath(gcloud)).parent.parent))
    return [Path(r) for r in roots if r]


def find_emulators() -> EmulatorJars:
    """Locate java and both emulator jars, or raise EmulatorsMissing saying what to install."""
    missing: list[str] = []
    java = shutil.which("java")
    if java is None:
        missing.append("a Java runtime (java on PATH)")
    firestore = pubsub = None
    for root in _sdk_roots():
        platform = root / "platform"
        candidate = platform / "cloud-firestore-emulator" / "cloud-firestore-emulator.jar"
        firestore = firestore or (candidate if candidate.is_file() else None)
        pattern = platform / "pubsub-emulator" / "lib" / "cloud-pubsub-emulator-*.jar"
        jars = sorted(glob.glob(str(pattern)))
        pubsub = pubsub or (Path(jars[-1]) if jars else None)
    if firestore is None:
        missing.append("the Firestore emulator (cloud-firestore-emulator component)")
    if pubsub is None:
        missing.append("the Pub/Sub emulator (pubsub-emulator component)")
    if missing or java is None or firestore is None or pubsub is None:
        raise EmulatorsMissing("Missing: " + "; ".join(missing) + "\n\n" + INSTALL_HELP)
    return EmulatorJars(java=java, firestore=firestore, pubsub=pubsub)


_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()


def free_port() -> int:
    """A port nothing listens on, never one this process handed out before: Linux readily gives
    a just-probed port again (2 in 200 probes here), and two servers of one stack on one port
    send one's calls to the other."""
    with _HANDED_OUT_LOCK:
        while True:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port: int = sock.getsockname()[1]
            if port not in _HANDED_OUT:
                _HANDED_OUT.add(port)
                return port


class Emulator:
    """One running emulator process, in its own process group so that stop() ends all of it."""

    def __init__(self, name: str, command: list[str], port: int, log_path: Path) -> None:
        self.name = name
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the process
        # Through the lifeline launcher: the JVM dies with whoever started it, even SIGKILLed.
        self.process = subprocess.Popen(
            guarded(command), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} emulator exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://{self.host}/", timeout=1):
                    return
            except urllib.error.HTTPError:
                return  # it answers HTTP: ready
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"{self.name} emulator not ready after {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def start_firestore(jars: EmulatorJars, log_dir: Path, port: int | None = None) -> Emulator:
    port = port or free_port()
    command = [
        jars.java,
        "-Duser.language=en",
        "-cp",
        str(jars.firestore),
        "com.google.cloud.datastore.emulator.firestore.CloudFirestore",
        "start",
        "--host=127.0.0.1",
        f"--port={port}",
    ]
    return Emulator("firestore", command, port, log_dir / "firestore-emulator.log")


def start_pubsub(jars: EmulatorJars, log_dir: Path, port: int | None = None) -> Emulator:
    port = port or free_port()
    command = [jars.java, "-jar", str(jars.pubsub), "--host=127.0.0.1", f"--port={port}"]
    return Emulator("pubsub", command, port, log_dir / "pubsub-emulator.log")


def main() -> int:
    parser = argparse.ArgumentParser(description="Find Google's Firestore and Pub/Sub emulators.")
    parser.add_argument("--check", action="store_true", help="exit 1 with install help if missing")
    parser.parse_args()
    try:
        jars = find_emulators()
    except EmulatorsMissing as error:
        print(error, file=sys.stderr)
        return 1
    print(f"emulators found: java={jars.java} firestore={jars.firestore} pubsub={jars.pubsub}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

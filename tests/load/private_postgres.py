"""A throw-away PostgreSQL cluster of the test's own, so stopping it disturbs nobody else.

initdb refuses to run as root, so the cluster belongs to the `postgres` OS user (through
`runuser`) and lives in a temporary directory, on a free port of 127.0.0.1, with trust auth.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def unavailable_reason() -> str | None:
    """Why a private cluster cannot be started here, or None when it can."""
    if _binaries() is None:
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl) missing"
    if shutil.which("runuser") is None:
        return "`runuser` missing: initdb refuses root and must run as the postgres user"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no `postgres` OS user to own the private cluster"
    if os.geteuid() != 0:
        return "starting a cluster as the postgres user needs root (runuser)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """initdb, start, stop, start again, and remove everything at the end."""

    def __init__(self) -> None:
        self.bin = _binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="consult-pg-"))
        owner = pwd.getpwnam("postgres")
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip

    def _run(self, tool: str, *args) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.bin / tool), *map(str, args)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {result.stdout}{result.stderr}{log}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c max_connections=60"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60",
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
